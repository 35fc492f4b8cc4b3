package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Retry;
import dev.beacon.StatsCounter;
import dev.beacon.TelemetryEvent;
import dev.beacon.WireEncoder;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The send loop of an active shipper: takes batches from the queue, one request at a time,
 * through the circuit breaker, with jittered backoff between retries and {@code Retry-After}
 * pauses; settles every batch exactly once (sent, or dropped under one reason).
 *
 * <p>State: at most one batch in flight, either on the wire ({@link Sending}) or waiting for its
 * retry ({@link Backoff}); one wake-up timer (the batch interval, or the end of a pause); the end
 * of the current pause. Everything runs on the shipper's event loop.
 */
final class Delivery {

  /** What the send loop tells, and asks, the shipper that owns it. */
  interface Host {
    /** A batch settled (or went back to the queue): move closing, flushing and sending along. */
    void afterSettle();

    /** A batch now waits for its retry: flushes that cannot progress may complete. */
    void afterBackoff();

    /** The endpoint refused us for good (400, 401, 403, 404). */
    void rejectedForGood(Decision why);

    /** Counts a drop. */
    void drop(DropReason reason, long n);

    /** What is held changed: the queue may have room again. */
    void heldChanged();

    /** A batch is about to leave (the moment to log what was dropped since the last one). */
    void beforeBatch();

    /** Whether the shipper is closing (then nothing is retried). */
    boolean closing();

    /** Whether the shipper is still active (not switched off meanwhile). */
    boolean active();
  }

  /** A batch taken from the queue; sent as the same body on every attempt. */
  private static final class Batch {
    final List<TelemetryEvent> events;
    final Buffer body; // Vert.x writes a slice: the indices stay put across attempts
    int retries;
    boolean settled;

    Batch(WireEncoder.Payload payload) {
      this.events = payload.events();
      this.body = Buffer.buffer(payload.length()).appendBytes(payload.bytes(), 0, payload.length());
    }
  }

  private sealed interface InFlight permits Sending, Backoff {
    Batch batch();
  }

  private record Sending(Batch batch) implements InFlight {}

  private record Backoff(Batch batch, long timer) implements InFlight {}

  /** A retryable outcome as a failure, so that the breaker counts it. */
  private static final class RetryableFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Sender.Outcome.Retryable outcome;

    RetryableFailure(Sender.Outcome.Retryable outcome) {
      super(outcome.why(), null, false, false);
      this.outcome = outcome;
    }
  }

  private final Settings settings;
  private final Timers timers;
  private final ArrayDeque<TelemetryEvent> queue;
  private final StatsCounter stats;
  private final WireEncoder encoder;
  private final RandomGenerator random;
  private final Sender sender;
  private final Breaker breaker;
  private final Host host;
  private final OneShot wake;
  private InFlight inFlight;
  private long pausedUntilMs = Long.MIN_VALUE;

  /** The send loop's numbers, from the options. */
  record Settings(int batchSize, long batchIntervalMs, int maxRetries, long retryBaseDelayMs, long retryMaxDelayMs) {}

  Delivery(
      Settings settings, Timers timers, ArrayDeque<TelemetryEvent> queue, StatsCounter stats, WireEncoder encoder,
      RandomGenerator random, Sender sender, Breaker breaker, Host host) {
    this.settings = settings;
    this.timers = timers;
    this.queue = queue;
    this.stats = stats;
    this.encoder = encoder;
    this.random = random;
    this.sender = sender;
    this.breaker = breaker;
    this.host = host;
    this.wake = new OneShot(timers);
  }

  // ---------------------------------------------------------------- scheduling

  /** Events were queued: a full batch leaves now, else the batch interval is armed. */
  void offered() {
    if (queue.size() >= settings.batchSize()) {
      sendNext();
    } else {
      armInterval();
    }
  }

  /** Arms the batch interval, when something waits and it is not armed yet. */
  void armInterval() {
    if (!queue.isEmpty()) {
      wake.arm(settings.batchIntervalMs(), this::sendNext);
    }
  }

  /** Takes the next batch and sends it, when nothing is in flight and sending is allowed. */
  void sendNext() {
    if (inFlight != null || queue.isEmpty()) {
      return;
    }
    long now = timers.nowMs();
    if (now < pausedUntilMs) {
      wake.arm(pausedUntilMs - now, this::sendNext);
      return;
    }
    if (breaker.isOpen()) {
      return; // the half-open probe resumes
    }
    wake.cancel();
    host.beforeBatch();
    List<TelemetryEvent> take = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
    while (take.size() < settings.batchSize() && !queue.isEmpty()) {
      take.add(queue.poll());
    }
    WireEncoder.Encoded encoded = encoder.encode(take, random);
    host.drop(DropReason.OVERSIZE, encoded.oversize().size());
    if (encoded.payloads().isEmpty()) {
      host.heldChanged();
      sendNext();
      return;
    }
    // One request at a time. Should the byte cap have split the batch, the rest goes back first in line.
    List<WireEncoder.Payload> payloads = encoded.payloads();
    for (int i = payloads.size() - 1; i >= 1; i--) {
      requeue(payloads.get(i).events());
    }
    Batch batch = new Batch(payloads.get(0));
    inFlight = new Sending(batch);
    attempt(batch);
  }

  private void attempt(Batch batch) {
    breaker
        .<Sender.Outcome>execute(
            () -> {
              stats.request(); // only attempts the breaker let through
              return sender.send(batch.body).compose(o -> o instanceof Sender.Outcome.Retryable r
                  ? Future.failedFuture(new RetryableFailure(r))
                  : Future.succeededFuture(o));
            })
        .onComplete(ar -> onAttempt(batch, ar));
  }

  private void onAttempt(Batch batch, AsyncResult<Sender.Outcome> ar) {
    if (batch.settled) {
      return; // closing already accounted for it
    }
    if (ar.succeeded()) {
      answered(batch, ar.result());
      host.afterSettle();
      return;
    }
    Throwable failure = ar.cause();
    if (breaker.refused(failure)) {
      // The breaker opened: the batch goes back first in line and waits for the half-open probe.
      batch.settled = true;
      inFlight = null;
      requeue(batch.events);
      host.afterSettle();
      return;
    }
    Sender.Outcome.Retryable retry =
        failure instanceof RetryableFailure rf ? rf.outcome : new Sender.Outcome.Retryable(-1, -1, true, String.valueOf(failure));
    if (retry.retryAfterMs() >= 0) {
      // Retry-After pauses all sending to this endpoint, whatever becomes of this batch.
      pausedUntilMs = Math.max(pausedUntilMs, timers.nowMs() + retry.retryAfterMs());
    }
    if (host.closing() || !host.active()) {
      settle(batch, host.closing() ? DropReason.SHUTDOWN : DropReason.DISABLED);
      host.afterSettle();
      return;
    }
    if (batch.retries >= settings.maxRetries()) {
      settle(batch, DropReason.RETRIES_EXHAUSTED);
      host.afterSettle();
      return;
    }
    backOff(batch, retry);
  }

  private void answered(Batch batch, Sender.Outcome outcome) {
    if (outcome instanceof Sender.Outcome.Refused refused) {
      settle(batch, DropReason.REJECTED);
      if (refused.terminal()) {
        host.rejectedForGood(Decision.disabled(
            Decision.Cause.INGESTION_REJECTED, "ingestion rejected a batch (HTTP " + refused.status() + ")"));
      }
    } else if (outcome instanceof Sender.Outcome.Printed) {
      settle(batch, PRINTED);
    } else {
      settle(batch, null);
    }
  }

  private void backOff(Batch batch, Sender.Outcome.Retryable retry) {
    long delay = Retry.backoffMs(batch.retries, settings.retryBaseDelayMs(), settings.retryMaxDelayMs(), random);
    if (retry.retryAfterMs() >= 0) {
      delay = Math.max(delay, retry.retryAfterMs()); // a minimum for the retry too
    }
    batch.retries++;
    stats.retry();
    if (retry.responseLost()) {
      stats.resent(batch.events.size()); // the server may have taken the first copy
    }
    long timer =
        timers.set(
            Math.max(1, delay),
            id -> {
              if (inFlight instanceof Backoff b && b.batch() == batch && !batch.settled) {
                inFlight = new Sending(batch);
                attempt(batch);
              }
            });
    inFlight = new Backoff(batch, timer);
    host.afterBackoff();
  }

  private void requeue(List<TelemetryEvent> events) {
    for (int j = events.size() - 1; j >= 0; j--) {
      queue.addFirst(events.get(j));
    }
  }

  /** Debug mode's "settled": printed, never counted as sent. */
  private static final Object PRINTED = new Object();

  private void settle(Batch batch, Object reasonOrNullIfSent) {
    if (batch.settled) {
      return;
    }
    batch.settled = true;
    if (reasonOrNullIfSent == null) {
      stats.sent(batch.events.size());
    } else if (reasonOrNullIfSent == PRINTED) {
      stats.printed(batch.events.size());
    } else {
      host.drop((DropReason) reasonOrNullIfSent, batch.events.size());
    }
    if (inFlight != null && inFlight.batch() == batch) {
      if (inFlight instanceof Backoff b) {
        timers.cancel(b.timer());
      }
      inFlight = null;
    }
    host.heldChanged();
  }

  // ---------------------------------------------------------------- what closing and flushing ask

  /** Events in flight (on the wire or waiting for a retry). */
  int held() {
    return inFlight == null ? 0 : inFlight.batch().events.size();
  }

  /** Whether a request is on the wire now. */
  boolean sending() {
    return inFlight instanceof Sending;
  }

  /** Whether the breaker is open. */
  boolean breakerOpen() {
    return breaker.isOpen();
  }

  /** Whether a {@code Retry-After} pause is running. */
  boolean paused() {
    return timers.nowMs() < pausedUntilMs;
  }

  /** A batch waiting for its retry is dropped under {@code reason} (never retried once closing). */
  void abandonRetry(DropReason reason) {
    if (inFlight instanceof Backoff b) {
      settle(b.batch(), reason);
    }
  }

  /** At the close deadline, or switched off: whatever is in flight is dropped and its request cancelled. */
  void cutShort(DropReason reason) {
    wake.cancel();
    if (inFlight != null) {
      settle(inFlight.batch(), reason);
      sender.cancelAll();
    }
  }

  /** The wake-up timer is cancelled (close began). */
  void cancelWake() {
    wake.cancel();
  }

  /**
   * Whether a flush has nothing more to wait for: nothing held, or sending cannot progress now
   * (breaker open; a {@code Retry-After} pause with nothing in flight). A batch waiting for its
   * retry is waited for, its {@code Retry-After} included (capped by {@code retryAfterCapMs}; a
   * caller's own flush deadline cuts it shorter), unless the breaker is open.
   */
  boolean flushSettled() {
    return (queue.isEmpty() && inFlight == null)
        || (inFlight == null && (breaker.isOpen() || paused()))
        || (inFlight instanceof Backoff && breaker.isOpen());
  }

  /** Releases timers, the sender and the breaker. */
  void close() {
    wake.cancel();
    sender.close();
    breaker.close();
  }
}
