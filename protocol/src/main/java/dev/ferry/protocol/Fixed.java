package dev.ferry.protocol;

/** wl_fixed_t: signed 24.8 fixed point. */
public final class Fixed {
    private Fixed() {}

    public static double toDouble(int fixed) {
        return fixed / 256.0;
    }

    public static int fromDouble(double value) {
        return (int) Math.round(value * 256.0);
    }
}
