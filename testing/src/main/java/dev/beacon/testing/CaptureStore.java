package dev.beacon.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What a capture received: the events in arrival order, the requests counted, the problems found
 * (bodies that were not Beacon's envelope), and the waiters of {@code awaitEvents}. One lock guards
 * it all; it is held for list operations only, and futures complete outside it.
 *
 * <p>Thread-safe.
 */
final class CaptureStore {

  /** Most problems kept (the first ones tell the story). */
  static final int MAX_PROBLEMS = 20;

  private record Waiter(Predicate<CapturedEvent> match, int count, CompletableFuture<List<CapturedEvent>> done) {}

  private final Object lock = new Object();
  private final List<CapturedEvent> events = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private long requests;

  /** Takes one request body; returns how many events it held, or -1 when it was not an envelope. */
  int accept(byte[] body) {
    List<String> found = new ArrayList<>();
    List<Map<String, Object>> records = Envelope.records(body, found::add);
    List<CapturedEvent> parsed = new ArrayList<>();
    if (records != null) {
      for (int i = 0; i < records.size(); i++) {
        int index = i;
        parsed.add(CapturedEvent.fromRecord(records.get(i), p -> found.add("record " + index + ": " + p)));
      }
    }
    List<Runnable> completions = new ArrayList<>();
    synchronized (lock) {
      requests++;
      for (String p : found) {
        problem(p);
      }
      events.addAll(parsed);
      for (var it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        List<CapturedEvent> matching = matching(w.match());
        if (matching.size() >= w.count()) {
          it.remove();
          completions.add(() -> w.done().complete(matching));
        }
      }
    }
    completions.forEach(Runnable::run);
    return records == null ? -1 : parsed.size();
  }

  /** Notes a request the capture could not read as Beacon's (wrong method or path, unreadable body). */
  void reject(String problem) {
    synchronized (lock) {
      requests++;
      problem(problem);
    }
  }

  private void problem(String p) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    }
  }

  /**
   * Completes with the matching events once at least {@code count} of them arrived (at once when
   * they already have). The caller bounds the wait and then {@link #forget}s the future.
   */
  CompletableFuture<List<CapturedEvent>> when(Predicate<CapturedEvent> match, int count) {
    CompletableFuture<List<CapturedEvent>> done = new CompletableFuture<>();
    List<CapturedEvent> now;
    synchronized (lock) {
      now = matching(match);
      if (now.size() < count) {
        waiters.add(new Waiter(match, count, done));
        return done;
      }
    }
    done.complete(now);
    return done;
  }

  /** Drops a waiter that timed out. */
  void forget(CompletableFuture<List<CapturedEvent>> done) {
    synchronized (lock) {
      waiters.removeIf(w -> w.done() == done);
    }
  }

  private List<CapturedEvent> matching(Predicate<CapturedEvent> match) {
    List<CapturedEvent> out = new ArrayList<>();
    for (CapturedEvent e : events) {
      if (match.test(e)) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  List<CapturedEvent> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  List<String> problems() {
    synchronized (lock) {
      return List.copyOf(problems);
    }
  }

  long requests() {
    synchronized (lock) {
      return requests;
    }
  }

  /** Forgets every event, problem and request; waiters stay and wait for new events. */
  void clear() {
    synchronized (lock) {
      events.clear();
      problems.clear();
      requests = 0;
    }
  }
}
