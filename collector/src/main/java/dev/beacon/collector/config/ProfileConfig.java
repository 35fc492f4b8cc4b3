package dev.beacon.collector.config;

import dev.beacon.Profile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One profile's live rules, read by every config GET without a lock (one volatile read of an
 * immutable value), and the queue that runs this instance's changes one after another.
 *
 * <p>The rules carry the store's version ({@link dev.beacon.collector.store.SavedRules}): they are
 * replaced only by a newer version ({@link #offer}), whoever read it (a save's answer, a
 * notification, the periodic check), so reads that complete out of order never bring older rules
 * back.
 */
final class ProfileConfig {

  /**
   * The live rules and their stored version.
   *
   * @param rules the rules
   * @param version the store's version of them; 0 for the built-in default (nothing saved)
   */
  record State(ConfigRules rules, long version) {
    boolean saved() {
      return version > 0;
    }
  }

  final Profile profile;
  private final AtomicReference<State> state = new AtomicReference<>(new State(ConfigRules.DEFAULT, 0));
  private final AtomicReference<Future<?>> tail = new AtomicReference<>(Future.succeededFuture());

  ProfileConfig(Profile profile) {
    this.profile = profile;
  }

  State state() {
    return state.get();
  }

  /** Serves {@code rules} if {@code version} is newer than the live one; says whether it did. */
  boolean offer(ConfigRules rules, long version) {
    State next = new State(rules, version);
    while (true) {
      State now = state.get();
      if (version <= now.version()) {
        return false;
      }
      if (state.compareAndSet(now, next)) {
        return true;
      }
    }
  }

  /** Runs {@code change} after every change queued before it has completed (either way). */
  <T> Future<T> enqueue(Supplier<Future<T>> change) {
    Promise<T> done = Promise.promise();
    Future<?> previous = tail.getAndSet(done.future());
    previous.onComplete(
        ignored -> {
          Future<T> f;
          try {
            f = change.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(done);
        });
    return done.future();
  }
}
