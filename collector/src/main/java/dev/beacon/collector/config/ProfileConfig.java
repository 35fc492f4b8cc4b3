package dev.beacon.collector.config;

import dev.beacon.Profile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One profile's live rules, read by every config GET without a lock (one volatile read of an
 * immutable value), and the queue that runs its changes one after another, so that each audit
 * entry's "before" is the previous entry's "after".
 */
final class ProfileConfig {

  /** The live rules and whether they came from the store (false: the built-in default). */
  record State(ConfigRules rules, boolean saved) {}

  final Profile profile;
  private volatile State state = new State(ConfigRules.DEFAULT, false);
  private final AtomicReference<Future<?>> tail = new AtomicReference<>(Future.succeededFuture());

  ProfileConfig(Profile profile) {
    this.profile = profile;
  }

  State state() {
    return state;
  }

  void set(ConfigRules rules) {
    state = new State(rules, true);
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
