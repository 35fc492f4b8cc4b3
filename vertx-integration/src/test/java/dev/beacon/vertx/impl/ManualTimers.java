package dev.beacon.vertx.impl;

import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A virtual clock for unit tests: {@link #set} records a timer, {@link #advance} moves the clock and
 * fires every timer that falls due, in order of due time (then of setting), synchronously on the
 * calling thread. A timer set while firing that falls due within the same advance fires too. Not
 * thread-safe: one test thread (or one event loop) drives it.
 */
final class ManualTimers implements Timers {

  private record Timer(long id, long dueMs, Handler<Long> handler) {}

  private final PriorityQueue<Timer> queue =
      new PriorityQueue<>(Comparator.comparingLong(Timer::dueMs).thenComparingLong(Timer::id));
  private final Set<Long> live = new HashSet<>();
  /** Every delay asked for, as asked (before the 1 ms floor), in order. */
  final List<Long> requested = new ArrayList<>();
  private long now = 1_000_000; // any origin: only differences mean anything
  private long nextId; // Vert.x timer ids start at 0 too
  private int fired;

  @Override
  public long set(long delayMs, Handler<Long> handler) {
    requested.add(delayMs);
    long id = nextId++;
    queue.add(new Timer(id, now + Math.max(1, delayMs), handler));
    live.add(id);
    return id;
  }

  @Override
  public boolean cancel(long id) {
    return live.remove(id);
  }

  @Override
  public long nowMs() {
    return now;
  }

  /** Moves the clock by {@code ms}, firing what falls due on the way, each at its own time. */
  void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("time does not go back: " + ms);
    }
    long target = now + ms;
    while (true) {
      Timer next = queue.peek();
      if (next == null || next.dueMs() > target) {
        break;
      }
      queue.poll();
      if (!live.remove(next.id())) {
        continue; // cancelled
      }
      now = next.dueMs();
      fired++;
      next.handler().handle(next.id());
    }
    now = target;
  }

  /** Timers set and neither fired nor cancelled. */
  int pending() {
    return live.size();
  }

  /** Milliseconds until the earliest pending timer, or -1 when none is pending. */
  long nextDueInMs() {
    return queue.stream().filter(t -> live.contains(t.id())).mapToLong(Timer::dueMs).min().stream()
        .map(due -> due - now).findFirst().orElse(-1);
  }

  /** Timers fired so far. */
  int fired() {
    return fired;
  }

  /** The delay of the last timer set. */
  long lastRequested() {
    return requested.get(requested.size() - 1);
  }
}
