/*
 * The floor under "compositor CPU per frame" on this machine: the least a compositor process
 * must do per direct-scanout frame, in C. Two processes, like Ferry and its video client:
 *
 *   compositor: epoll on a 60 Hz CLOCK_MONOTONIC timerfd (the vblank) and a unix socket.
 *     At each vblank it sends the client ~100 bytes (frame done, presented, release) and
 *     re-arms the timer; when the client's ~120-byte commit arrives it reads it.
 *   client: on each message it writes a W x H x 4 buffer (a CPU-drawn video frame, as
 *     `ferry client video` does) and sends its commit.
 *
 * Two wake-ups and five system calls per frame, no parsing, no state: whatever CPU time it
 * takes per frame is what waking an idle CPU 120 times a second costs here (cache and TLB
 * misses after the client's drawing, the hypervisor's halt exits). The compositor's own
 * utime+stime per frame is printed, sampled like bench/scanout-steady samples Ferry.
 *
 * With deadline_us > 0 it is a compositor that commits at a repaint deadline, as Ferry (#18),
 * Weston's repaint window and Mutter do: the client's commit arms a second timerfd deadline_us
 * before the vblank; at that deadline it reads it and arms the vblank timer (the commit to KMS,
 * whose flip completes at the vblank). Three wake-ups and seven system calls per frame.
 *
 *   cc -O2 -o frame-floor frame-floor.c && ./frame-floor [seconds] [width] [height] [hz] [deadline_us]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 30;
    long w = argc > 2 ? atol(argv[2]) : 3840, h = argc > 3 ? atol(argv[3]) : 2160;
    int hz = argc > 4 ? atoi(argv[4]) : 60;
    long long deadline_ns = argc > 5 ? atoll(argv[5]) * 1000LL : 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return perror("socketpair"), 1;
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        size_t size = (size_t)w * h * 4;
        unsigned *pixels = malloc(size);
        char msg[256];
        for (unsigned frame = 0;; frame++) {
            if (read(sv[1], msg, sizeof msg) <= 0) _exit(0);
            for (size_t i = 0; i < size / 4; i++) pixels[i] = frame + (unsigned)i;
            if (write(sv[1], msg, 120) != 120) _exit(0);
        }
    }
    close(sv[1]);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    ev.data.u32 = 1;
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
    int dfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    ev.data.u32 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, dfd, &ev);
    long long period = 1000000000LL / hz, next = now_ns() + period;
    struct itimerspec its = {0};
    its.it_value.tv_sec = next / 1000000000LL;
    its.it_value.tv_nsec = next % 1000000000LL;
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    char buf[4096];
    long frames = 0, warm = 3L * hz, total = (long)seconds * hz + warm;
    double c0 = 0;
    while (frames < total) {
        struct epoll_event got[4];
        int n = epoll_wait(ep, got, 4, -1);
        for (int i = 0; i < n; i++) {
            if (got[i].data.u32 == 0) {
                unsigned long long ticks;
                if (read(tfd, &ticks, sizeof ticks) != sizeof ticks) continue;
                if (++frames == warm) c0 = cpu_ms();
                memset(buf, (int)frames, 100);
                if (send(sv[0], buf, 100, MSG_NOSIGNAL) != 100) return perror("send"), 1;
                next += period;
                if (deadline_ns > 0) continue;  // armed at the deadline, by the commit to KMS
                its.it_value.tv_sec = next / 1000000000LL;
                its.it_value.tv_nsec = next % 1000000000LL;
                timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
            } else if (got[i].data.u32 == 2) {
                unsigned long long ticks;
                if (read(dfd, &ticks, sizeof ticks) != sizeof ticks) continue;
                its.it_value.tv_sec = next / 1000000000LL;
                its.it_value.tv_nsec = next % 1000000000LL;
                timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
            } else {
                struct iovec iov = {buf, sizeof buf};
                struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
                recvmsg(sv[0], &mh, MSG_DONTWAIT);
                if (deadline_ns > 0) {
                    long long at = next - deadline_ns;
                    struct itimerspec d = {0};
                    d.it_value.tv_sec = at / 1000000000LL;
                    d.it_value.tv_nsec = at % 1000000000LL;
                    timerfd_settime(dfd, TFD_TIMER_ABSTIME, &d, NULL);
                }
            }
        }
    }
    double c1 = cpu_ms();
    printf("{\"frames\": %ld, \"hz\": %d, \"client_buffer\": \"%ldx%ld\", \"deadline_us\": %lld, \"compositor_cpu_ms_per_frame\": %.4f}\n",
           total - warm, hz, w, h, deadline_ns / 1000, (c1 - c0) / (total - warm));
    close(sv[0]);
    waitpid(child, NULL, 0);
    return 0;
}
