package dev.beacon.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine was during a run, and how much of that was someone else: the machine's
 * busy time from {@code /proc/stat} minus the CPU time of the processes taking part (this JVM and
 * its child), in cores. Other engineers run builds on this machine; a run where {@code foreign}
 * is high is marked, not hidden. Linux only; reads nothing elsewhere (all zero).
 */
final class CpuMeter {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final List<Long> pids;
  private final long wall0;
  private final long busy0;
  private final long ours0;

  CpuMeter(List<Long> pids) {
    this.pids = pids;
    this.wall0 = System.nanoTime();
    this.busy0 = machineBusyTicks();
    this.ours0 = ourTicks();
  }

  /** Busy cores on the machine, cores used by our processes, and the rest (foreign). */
  record Usage(double machine, double ours, double foreign) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "cpu_machine=%.2f cpu_ours=%.2f cpu_foreign=%.2f", machine, ours, foreign);
    }
  }

  Usage stop() {
    double seconds = (System.nanoTime() - wall0) / 1e9;
    double machine = (machineBusyTicks() - busy0) / TICKS_PER_SECOND / seconds;
    double ours = (ourTicks() - ours0) / TICKS_PER_SECOND / seconds;
    return new Usage(machine, ours, Math.max(0, machine - ours));
  }

  /**
   * CPU time, in ms, of this JVM's children that have ended and been waited for ({@code cutime +
   * cstime} of {@code /proc/self/stat}, 10 ms resolution): read before and after a child runs, the
   * difference is that child's CPU. 0 where there is no {@code /proc}.
   */
  static long reapedChildrenMillis() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
      return Math.round((Long.parseLong(f[13]) + Long.parseLong(f[14])) * 1000 / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Busy cores on the whole machine since {@code busyTicks} was read ({@link #machineBusyTicks}). */
  static double machineBusyCores(long busyTicks, long sinceNanos) {
    double seconds = (System.nanoTime() - sinceNanos) / 1e9;
    return (machineBusyTicks() - busyTicks) / TICKS_PER_SECOND / seconds;
  }

  static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private long ourTicks() {
    long sum = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      } catch (IOException | RuntimeException e) {
        // gone or not Linux
      }
    }
    return sum;
  }
}
