/*
 * wl_display_roundtrip latency against whatever $WAYLAND_DISPLAY names.
 *   roundtrip [N] [WARMUP]      (defaults 20000 and 1000)
 * Prints one line: "label n=N p50_us=.. p99_us=.. mean_us=.. max_us=..", label from $ROUNDTRIP_LABEL.
 * Build: gcc -O2 -o roundtrip roundtrip.c -lwayland-client
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wayland-client.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int warmup = argc > 2 ? atoi(argv[2]) : 1000;
    const char *label = getenv("ROUNDTRIP_LABEL") ? getenv("ROUNDTRIP_LABEL") : "display";
    if (n <= 0) return 2;

    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        fprintf(stderr, "roundtrip: cannot connect to %s\n", getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "wayland-0");
        return 1;
    }
    for (int i = 0; i < warmup; i++) {
        if (wl_display_roundtrip(display) < 0) goto failed;
    }
    double *samples = malloc(sizeof(double) * n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (wl_display_roundtrip(display) < 0) goto failed;
        samples[i] = now_us() - t0;
        sum += samples[i];
    }
    qsort(samples, n, sizeof(double), cmp_double);
    printf("%s n=%d p50_us=%.1f p99_us=%.1f mean_us=%.1f max_us=%.1f\n", label, n,
           samples[n / 2], samples[(int) (n * 0.99)], sum / n, samples[n - 1]);
    free(samples);
    wl_display_disconnect(display);
    return 0;

failed:
    fprintf(stderr, "roundtrip: connection failed (error %d)\n", wl_display_get_error(display));
    wl_display_disconnect(display);
    return 1;
}
