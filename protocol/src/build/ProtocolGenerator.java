/*
 * Ferry's protocol generator: reads Wayland protocol XML and writes one Java class per
 * interface with, for the server side, a Requests handler interface, a request dispatcher and
 * sendX event methods, and for the client side, a Listener interface, an event dispatcher and
 * static request methods. Run by Maven before compilation (see protocol/pom.xml):
 *
 *   java ProtocolGenerator.java XML_DIR OUT_DIR PACKAGE
 *
 * Output is deterministic, so an unchanged XML gives byte-identical sources.
 */

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

public class ProtocolGenerator {
    record Arg(String name, String type, String iface, boolean nullable, String summary) {}
    record Msg(String name, int since, boolean destructor, List<Arg> args, String summary) {}
    record Entry(String name, long value, String summary) {}
    record EnumDef(String name, List<Entry> entries) {}
    record Iface(String name, int version, String summary, List<Msg> requests, List<Msg> events, List<EnumDef> enums, String protocol) {}

    static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch",
            "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final",
            "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
            "native", "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile",
            "while", "self", "in", "h", "w", "record", "var", "yield");

    public static void main(String[] args) throws Exception {
        Path xmlDir = Path.of(args[0]);
        Path outDir = Path.of(args[1]);
        String pkg = args[2];
        Path pkgDir = outDir.resolve(pkg.replace('.', '/'));
        Files.createDirectories(pkgDir);
        List<Path> xmls;
        try (Stream<Path> s = Files.list(xmlDir)) {
            xmls = s.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        }
        int count = 0;
        for (Path xml : xmls) {
            for (Iface iface : parse(xml)) {
                String cls = className(iface.name());
                String source = generate(pkg, iface);
                Path out = pkgDir.resolve(cls + ".java");
                if (!Files.exists(out) || !Files.readString(out).equals(source)) Files.writeString(out, source);
                count++;
            }
        }
        System.out.println("ProtocolGenerator: " + count + " interfaces from " + xmls.size() + " protocol files");
    }

    static List<Iface> parse(Path xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        Document doc = f.newDocumentBuilder().parse(xml.toFile());
        Element root = doc.getDocumentElement();
        List<Iface> out = new ArrayList<>();
        for (Element ie : children(root, "interface")) {
            List<Msg> requests = new ArrayList<>();
            List<Msg> events = new ArrayList<>();
            List<EnumDef> enums = new ArrayList<>();
            for (Element me : children(ie, null)) {
                switch (me.getTagName()) {
                    case "request", "event" -> {
                        List<Arg> margs = new ArrayList<>();
                        for (Element ae : children(me, "arg")) {
                            margs.add(new Arg(ae.getAttribute("name"), ae.getAttribute("type"),
                                    ae.hasAttribute("interface") ? ae.getAttribute("interface") : null,
                                    "true".equals(ae.getAttribute("allow-null")), ae.getAttribute("summary")));
                        }
                        Msg m = new Msg(me.getAttribute("name"),
                                me.hasAttribute("since") ? Integer.parseInt(me.getAttribute("since")) : 1,
                                "destructor".equals(me.getAttribute("type")), margs, summary(me));
                        (me.getTagName().equals("request") ? requests : events).add(m);
                    }
                    case "enum" -> {
                        List<Entry> entries = new ArrayList<>();
                        for (Element ee : children(me, "entry")) {
                            entries.add(new Entry(ee.getAttribute("name"), Long.decode(ee.getAttribute("value")),
                                    ee.getAttribute("summary")));
                        }
                        enums.add(new EnumDef(me.getAttribute("name"), entries));
                    }
                    default -> { }
                }
            }
            out.add(new Iface(ie.getAttribute("name"), Integer.parseInt(ie.getAttribute("version")), summary(ie),
                    requests, events, enums, root.getAttribute("name")));
        }
        return out;
    }

    static String summary(Element e) {
        for (Element d : children(e, "description")) {
            String s = d.getAttribute("summary");
            if (!s.isEmpty()) return s;
        }
        return e.getAttribute("summary");
    }

    static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element e && (tag == null || e.getTagName().equals(tag))) out.add(e);
        }
        return out;
    }

    static String className(String wire) {
        StringBuilder sb = new StringBuilder();
        for (String part : wire.split("_")) {
            if (part.isEmpty()) continue;
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }

    static String camel(String wire) {
        String c = className(wire);
        String s = Character.toLowerCase(c.charAt(0)) + c.substring(1);
        return KEYWORDS.contains(s) ? s + "_" : s;
    }

    static String constant(String s) {
        return s.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static char typeCode(String t) {
        return switch (t) {
            case "int" -> 'i';
            case "uint" -> 'u';
            case "fixed" -> 'f';
            case "string" -> 's';
            case "object" -> 'o';
            case "new_id" -> 'n';
            case "array" -> 'a';
            case "fd" -> 'h';
            default -> throw new IllegalArgumentException("unknown arg type " + t);
        };
    }

    static String javaDoc(String indent, String text) {
        if (text == null || text.isBlank()) return "";
        return indent + "/** " + text.strip().replace("*/", "*&#47;") + " */\n";
    }

    static String str(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String messageLiteral(Msg m) {
        StringBuilder types = new StringBuilder(), names = new StringBuilder(), nulls = new StringBuilder(), ifaces = new StringBuilder();
        for (int i = 0; i < m.args().size(); i++) {
            Arg a = m.args().get(i);
            String sep = i == 0 ? "" : ", ";
            types.append(sep).append('\'').append(typeCode(a.type())).append('\'');
            names.append(sep).append(str(a.name()));
            nulls.append(sep).append(a.nullable());
            ifaces.append(sep).append(str(a.iface()));
        }
        return "new Message(" + str(m.name()) + ", " + m.since() + ", new byte[] {" + types + "}, new String[] {" + names
                + "}, new boolean[] {" + nulls + "}, new String[] {" + ifaces + "}, " + m.destructor() + ")";
    }

    /** Java parameter type of an argument as the receiving side sees it. */
    static String inType(Arg a, String objectType) {
        return switch (a.type()) {
            case "int", "uint" -> "int";
            case "fixed" -> "double";
            case "string" -> "String";
            case "object" -> objectType;
            case "new_id" -> "int";
            case "array" -> "MemorySegment";
            case "fd" -> "OwnedFd";
            default -> throw new IllegalArgumentException(a.type());
        };
    }

    static String readExpr(Arg a, String objectType) {
        return switch (a.type()) {
            case "int" -> "in.nextInt()";
            case "uint" -> "in.nextUint()";
            case "fixed" -> "in.nextFixed()";
            case "string" -> "in.nextString()";
            case "object" -> "(" + objectType + ") in.nextObject()";
            case "new_id" -> "in.nextNewId()";
            case "array" -> "in.nextArray()";
            case "fd" -> "in.nextFd()";
            default -> throw new IllegalArgumentException(a.type());
        };
    }

    static String writeStmt(Arg a) {
        String n = camel(a.name());
        return switch (a.type()) {
            case "int" -> "w.putInt(" + n + ");";
            case "uint" -> "w.putUint(" + n + ");";
            case "fixed" -> "w.putFixed(" + n + ");";
            case "string" -> "w.putString(" + n + ");";
            case "object" -> "w.putObject(" + n + ");";
            case "array" -> "w.putArray(" + n + ");";
            case "fd" -> "w.putFd(" + n + ".fd());";
            default -> throw new IllegalArgumentException(a.type());
        };
    }

    /** Opens a dispatcher class and its dispatch method; the body follows at method depth. */
    static String dispatcherHead(String className, String side) {
        return "    /** The " + side + " side's dispatch of this interface's messages, by opcode. */\n"
                + "    private static final class " + className + " implements Interface.Dispatcher {\n"
                + "        @Override\n"
                + "        public void dispatch(WireObject target, int opcode, WireReader in) {\n";
    }

    /** Closes what {@link #dispatcherHead} opened and names its one instance. */
    static String dispatcherTail(String constant, String className) {
        return "        }\n    }\n\n    private static final Interface.Dispatcher " + constant + " = new " + className + "();\n\n";
    }

    /** Indents every line written since {@code from} by one more level (4 spaces). */
    static void indentFrom(StringBuilder s, int from) {
        for (int i = s.length() - 1; i >= from; i--) {
            if (s.charAt(i) == '\n' && i + 1 < s.length()) s.insert(i + 1, "    ");
        }
        s.insert(from, "    ");
    }

    static String generate(String pkg, Iface iface) {
        String cls = className(iface.name());
        StringBuilder s = new StringBuilder(8192);
        s.append("// Generated by Ferry's ProtocolGenerator from ").append(iface.protocol()).append(".xml. Do not edit.\n");
        s.append("package ").append(pkg).append(";\n\n");
        s.append("import dev.ferry.posix.OwnedFd;\n");
        s.append("import dev.ferry.protocol.Interface;\n");
        s.append("import dev.ferry.protocol.Message;\n");
        s.append("import dev.ferry.protocol.WireObject;\n");
        s.append("import dev.ferry.protocol.WireReader;\n");
        s.append("import dev.ferry.protocol.WireWriter;\n");
        s.append("import dev.ferry.protocol.client.Proxy;\n");
        s.append("import dev.ferry.protocol.server.Resource;\n");
        s.append("import java.lang.foreign.MemorySegment;\n\n");
        s.append(javaDoc("", iface.name() + " v" + iface.version() + ": " + iface.summary()));
        s.append("@SuppressWarnings({\"unused\", \"RedundantSuppression\"})\n");
        s.append("public final class ").append(cls).append(" {\n");
        s.append("    private ").append(cls).append("() {}\n\n");
        s.append("    public static final String NAME = ").append(str(iface.name())).append(";\n");
        s.append("    public static final int VERSION = ").append(iface.version()).append(";\n\n");

        for (EnumDef e : iface.enums()) {
            s.append("    // enum ").append(e.name()).append('\n');
            for (Entry en : e.entries()) {
                s.append(javaDoc("    ", en.summary()));
                String type = en.value() > Integer.MAX_VALUE ? "long" : "int";
                s.append("    public static final ").append(type).append(' ').append(constant(e.name() + "_" + en.name()))
                        .append(" = ").append(en.value() > Integer.MAX_VALUE ? en.value() + "L" : Long.toString(en.value())).append(";\n");
            }
            s.append('\n');
        }
        for (int i = 0; i < iface.requests().size(); i++) {
            Msg m = iface.requests().get(i);
            s.append("    public static final int REQUEST_").append(constant(m.name())).append(" = ").append(i).append(";\n");
            if (m.since() > 1) s.append("    public static final int REQUEST_").append(constant(m.name())).append("_SINCE = ").append(m.since()).append(";\n");
        }
        for (int i = 0; i < iface.events().size(); i++) {
            Msg m = iface.events().get(i);
            s.append("    public static final int EVENT_").append(constant(m.name())).append(" = ").append(i).append(";\n");
            if (m.since() > 1) s.append("    public static final int EVENT_").append(constant(m.name())).append("_SINCE = ").append(m.since()).append(";\n");
        }
        s.append('\n');

        // ---- server: request handler interface ----
        s.append("    /** Server side: what the compositor does with each request. */\n");
        s.append("    public interface Requests {\n");
        for (Msg m : iface.requests()) {
            s.append(javaDoc("        ", m.summary() + (m.since() > 1 ? " (since " + m.since() + ")" : "")));
            s.append("        void ").append(camel(m.name())).append("(Resource self");
            for (Arg a : m.args()) {
                if (a.type().equals("new_id") && a.iface() == null) s.append(", String interfaceName, int interfaceVersion");
                s.append(", ").append(inType(a, "Resource")).append(' ').append(camel(a.name()));
            }
            s.append(");\n");
        }
        s.append("    }\n\n");

        // ---- server: request dispatcher ----
        // The dispatchers are named classes, not lambdas: a lambda's class is spun at run time,
        // two per interface, which JDK 25's AOT cache cannot hold under ZGC (no AOT class linking
        // without archived heap objects), while a named class comes from the cache like the rest.
        s.append(dispatcherHead("RequestDispatcher", "server"));
        int requestBody = s.length();
        s.append("        Resource self = (Resource) target;\n");
        if (!iface.requests().isEmpty()) {
            s.append("        Requests h = (Requests) self.implementation();\n");
            s.append("        switch (opcode) {\n");
            for (int i = 0; i < iface.requests().size(); i++) {
                Msg m = iface.requests().get(i);
                s.append("            case ").append(i).append(" -> h.").append(camel(m.name())).append("(self");
                for (Arg a : m.args()) {
                    if (a.type().equals("new_id") && a.iface() == null) s.append(", in.nextString(), in.nextUint()");
                    s.append(", ").append(readExpr(a, "Resource"));
                }
                s.append(");\n");
            }
            s.append("            default -> throw new IllegalArgumentException(\"opcode \" + opcode);\n");
            s.append("        }\n");
        } else {
            s.append("        throw new IllegalArgumentException(\"").append(iface.name()).append(" has no requests\");\n");
        }
        indentFrom(s, requestBody);
        s.append(dispatcherTail("REQUEST_DISPATCHER", "RequestDispatcher"));

        // ---- client: event listener interface ----
        s.append("    /** Client side: what the client does with each event. Unhandled events are ignored. */\n");
        s.append("    public interface Listener {\n");
        for (Msg m : iface.events()) {
            s.append(javaDoc("        ", m.summary()));
            s.append("        default void ").append(camel(m.name())).append("(Proxy self");
            for (Arg a : m.args()) s.append(", ").append(a.type().equals("new_id") ? "Proxy" : inType(a, "Proxy")).append(' ').append(camel(a.name()));
            s.append(") {");
            boolean ownsFd = m.args().stream().anyMatch(a -> a.type().equals("fd"));
            if (ownsFd) {
                s.append("\n");
                for (Arg a : m.args()) if (a.type().equals("fd")) s.append("            ").append(camel(a.name())).append(".close();\n");
                s.append("        ");
            }
            s.append("}\n");
        }
        s.append("    }\n\n");

        // ---- client: event dispatcher ----
        s.append(dispatcherHead("EventDispatcher", "client"));
        int eventBody = s.length();
        s.append("        Proxy self = (Proxy) target;\n");
        if (!iface.events().isEmpty()) {
            s.append("        Listener l = self.listener() instanceof Listener x ? x : null;\n");
            s.append("        switch (opcode) {\n");
            for (int i = 0; i < iface.events().size(); i++) {
                Msg m = iface.events().get(i);
                s.append("            case ").append(i).append(" -> {\n");
                List<String> names = new ArrayList<>();
                for (Arg a : m.args()) {
                    String n = "a" + names.size();
                    names.add(n);
                    if (a.type().equals("new_id")) {
                        s.append("                Proxy ").append(n).append(" = self.display().adoptServerObject(in.nextNewId(), ")
                                .append(a.iface() == null ? "null" : className(a.iface()) + ".INTERFACE").append(", self.version());\n");
                    } else {
                        s.append("                ").append(inType(a, "Proxy")).append(' ').append(n).append(" = ").append(readExpr(a, "Proxy")).append(";\n");
                    }
                }
                s.append("                if (l != null) l.").append(camel(m.name())).append("(self");
                for (String n : names) s.append(", ").append(n);
                s.append(");\n");
                for (int k = 0; k < m.args().size(); k++) {
                    if (m.args().get(k).type().equals("fd")) s.append("                else ").append(names.get(k)).append(".close();\n");
                }
                s.append("            }\n");
            }
            s.append("            default -> throw new IllegalArgumentException(\"opcode \" + opcode);\n");
            s.append("        }\n");
        } else {
            s.append("        throw new IllegalArgumentException(\"").append(iface.name()).append(" has no events\");\n");
        }
        indentFrom(s, eventBody);
        s.append(dispatcherTail("EVENT_DISPATCHER", "EventDispatcher"));

        // ---- the interface descriptor ----
        s.append("    public static final Interface INTERFACE = new Interface(NAME, VERSION,\n");
        s.append("            new Message[] {");
        for (int i = 0; i < iface.requests().size(); i++) s.append(i == 0 ? "\n                " : ",\n                ").append(messageLiteral(iface.requests().get(i)));
        s.append("},\n            new Message[] {");
        for (int i = 0; i < iface.events().size(); i++) s.append(i == 0 ? "\n                " : ",\n                ").append(messageLiteral(iface.events().get(i)));
        s.append("},\n            REQUEST_DISPATCHER, EVENT_DISPATCHER);\n\n");

        // ---- server: event senders ----
        for (int i = 0; i < iface.events().size(); i++) {
            Msg m = iface.events().get(i);
            s.append(javaDoc("    ", "Server side: sends " + m.name() + ". " + m.summary()));
            s.append("    public static void send").append(className(m.name())).append("(Resource self");
            for (Arg a : m.args()) {
                String t = a.type().equals("new_id") ? "Resource" : (a.type().equals("object") ? "Resource" : inType(a, "Resource"));
                s.append(", ").append(t).append(' ').append(camel(a.name()));
            }
            s.append(") {\n");
            s.append("        WireWriter w = self.beginEvent(EVENT_").append(constant(m.name())).append(");\n");
            s.append("        if (w == null) return;\n");
            for (Arg a : m.args()) {
                if (a.type().equals("new_id")) s.append("        w.putNewId(").append(camel(a.name())).append(".id());\n");
                else s.append("        ").append(writeStmt(a)).append('\n');
            }
            s.append("        w.end();\n");
            s.append("    }\n\n");
        }

        // ---- client: request senders ----
        for (int i = 0; i < iface.requests().size(); i++) {
            Msg m = iface.requests().get(i);
            Arg newId = m.args().stream().filter(a -> a.type().equals("new_id")).findFirst().orElse(null);
            boolean untyped = newId != null && newId.iface() == null;
            s.append(javaDoc("    ", "Client side: sends " + m.name() + ". " + m.summary()));
            s.append("    public static ").append(newId == null ? "void" : "Proxy").append(' ').append(camel(m.name())).append("(Proxy self");
            for (Arg a : m.args()) {
                if (a.type().equals("new_id")) {
                    if (untyped) s.append(", Interface childInterface, int childVersion");
                    continue;
                }
                String t = a.type().equals("object") ? "Proxy" : inType(a, "Proxy");
                s.append(", ").append(t).append(' ').append(camel(a.name()));
            }
            s.append(") {\n");
            if (newId != null) {
                if (untyped) s.append("        Proxy child = self.display().newProxy(childInterface, childVersion);\n");
                else s.append("        Proxy child = self.display().newProxy(").append(className(newId.iface())).append(".INTERFACE, self.version());\n");
            }
            s.append("        WireWriter w = self.beginRequest(REQUEST_").append(constant(m.name())).append(");\n");
            s.append("        if (w != null) {\n");
            for (Arg a : m.args()) {
                if (a.type().equals("new_id")) {
                    if (untyped) s.append("            w.putString(childInterface.name());\n            w.putUint(childVersion);\n");
                    s.append("            w.putNewId(child.id());\n");
                } else {
                    s.append("            ").append(writeStmt(a)).append('\n');
                }
            }
            s.append("            w.end();\n");
            s.append("        }\n");
            if (m.destructor()) s.append("        self.destroyed();\n");
            if (newId != null) s.append("        return child;\n");
            s.append("    }\n\n");
        }
        s.append("}\n");
        return s.toString();
    }
}
