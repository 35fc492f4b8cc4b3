package dev.beacon.vertx.impl;

import dev.beacon.Catalog;
import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.RemoteConfig;
import dev.beacon.Stats;
import dev.beacon.StatsCounter;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.WireEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shipper behind {@code TelemetryVerticle}: one client's whole life, on one event loop.
 *
 * <p>Design. Every event that reaches the shipper is counted once, on arrival, and ends exactly
 * once: sent, or dropped under one {@link DropReason}; {@code recorded = sent + pending +
 * dropped} holds at every moment because {@code pending} is measured ({@link #held()}), not
 * derived. The shipper's life is a {@link Phase}: off (consent said no at deploy), idle (on, no
 * event yet), fetching (the one config request; events are held), active (a {@link Delivery}
 * sends), disabled (switched off at run time: what arrives is counted and dropped), closed. The
 * gates an event passes are checked in the order that costs least: closed, disabled, full, then
 * the privacy guard, then the config's disabled events. Closing is an object of its own ({@link
 * Closing}); the send loop is another. Everything outside (timers, bus, HTTP, breaker, config) comes
 * in through {@link ShipperParts}.
 *
 * <p>Not thread-safe: every method runs on the shipper's event loop, except {@link #decision()}.
 */
public final class Shipper implements Delivery.Host {

  private static final System.Logger LOG = System.getLogger("dev.beacon.vertx.TelemetryVerticle");


  private final Limits limits;
  private final Catalog catalog;
  private final WireEncoder encoder;
  private final ShipperParts parts;
  private final StatsCounter stats = new StatsCounter();
  private final ArrayDeque<TelemetryEvent> queue = new ArrayDeque<>();
  private final List<Promise<Stats>> flushWaiters = new ArrayList<>();
  private Phase phase;
  private Closing closing;
  private volatile Decision decision;
  private boolean announcedFull;
  private long droppedSinceLog;

  /** The shipper's numbers, from the options. */
  public record Limits(int capacity, long closeTimeoutMs, Delivery.Settings delivery) {
    /** From the send loop's settings. */
    public static Limits of(
        int capacity, long closeTimeoutMs, int batchSize, long batchIntervalMs, int maxRetries, long retryBaseDelayMs,
        long retryMaxDelayMs) {
      return new Limits(
          capacity, closeTimeoutMs, new Delivery.Settings(batchSize, batchIntervalMs, maxRetries, retryBaseDelayMs, retryMaxDelayMs));
    }
  }

  private Shipper(Limits limits, Catalog catalog, WireEncoder encoder, ShipperParts parts, Decision consent) {
    this.limits = limits;
    this.catalog = catalog;
    this.encoder = encoder;
    this.parts = parts;
    this.decision = consent;
    this.phase = consent.enabled() ? new Phase.Idle() : new Phase.Off();
  }

  /** A shipper that is on, waiting for its first event. */
  public static Shipper on(Limits limits, Catalog catalog, WireEncoder encoder, ShipperParts parts) {
    return new Shipper(limits, catalog, encoder, parts, Decision.ENABLED);
  }

  /** A shipper that consent switched off at deploy: it takes nothing and closes at once. */
  public static Shipper off(Decision consent, ShipperParts parts) {
    return new Shipper(Limits.of(1, 0, 1, 1, 0, 0, 0), null, null, parts, consent);
  }

  // ---------------------------------------------------------------- intake

  /** One bus message: each event in it counted once, whatever happens. */
  public void onMessage(Object body) {
    // The live opt-out (system properties) is read once per message: a hand-off's events were
    // recorded together, and a handle re-read it for each of them already.
    if ((phase instanceof Phase.Idle || phase instanceof Phase.Fetching || phase instanceof Phase.Active) && closing == null) {
      Decision live = parts.liveOptOut().get();
      if (live != null) {
        disable(live);
      }
    }
    Intake.items(body, this::intakeOne);
    signalFullness();
  }

  private void intakeOne(Object item) {
    long before = stats.recordedCount();
    try {
      intake(Intake.candidate(item));
    } catch (RuntimeException e) {
      // A bug here must neither reach the publisher, stop the consumer, nor lose a count.
      if (stats.recordedCount() == before) {
        stats.recorded();
        drop(DropReason.INVALID, 1);
      }
      LOG.log(System.Logger.Level.DEBUG, "telemetry intake failed", e);
    }
  }

  private void intake(Intake.Candidate c) {
    stats.recorded();
    if (c == null) {
      drop(DropReason.INVALID, 1);
      return;
    }
    if (phase instanceof Phase.Closed || (closing != null && closing.done())) {
      drop(DropReason.SHUTDOWN, 1);
      return;
    }
    if (phase instanceof Phase.Disabled || phase instanceof Phase.Off) {
      drop(DropReason.DISABLED, 1);
      return;
    }
    if (held() >= limits.capacity()) {
      // Full (endpoint down, breaker open): drop before the privacy guard's work, which would be
      // thrown away. An invalid event arriving now counts as queue_full, not invalid.
      drop(DropReason.QUEUE_FULL, 1);
      return;
    }
    Validation v = catalog.validate(c.name(), c.params());
    if (!v.accepted()) {
      if ("unknown event".equals(v.rejection())) {
        stats.rejectedName(c.name()); // said in stats and status, so that a typo is not silent
      }
      drop(DropReason.INVALID, 1);
      return;
    }
    stats.guarded(v.stripped(), v.coerced());
    if (phase instanceof Phase.Active a && a.disabledEvents().contains(v.eventName())) {
      drop(DropReason.DISABLED, 1);
      return;
    }
    queue.add(new TelemetryEvent(v.eventName(), c.status(), c.timestampNs(), c.durationMs(), v.params()));
    if (closing != null) {
      // A hand-off that was on its way when close began: sent with the rest. The first event of
      // a shipper that had none still needs the config.
      if (phase instanceof Phase.Idle) {
        fetchConfig();
      }
      closing.step();
      return;
    }
    if (phase instanceof Phase.Idle) {
      fetchConfig();
    } else if (phase instanceof Phase.Active a) {
      a.delivery().offered();
    } // Fetching: held until the config answers
  }

  // ---------------------------------------------------------------- config and switching off

  private void fetchConfig() {
    phase = new Phase.Fetching();
    parts.config().get().onSuccess(this::onConfig);
  }

  private void onConfig(RemoteConfig.Verdict verdict) {
    if (!(phase instanceof Phase.Fetching)) {
      return;
    }
    if (!verdict.enabled()) {
      disable(verdict.decision());
      return;
    }
    activate(verdict.ingestionUrl(), verdict.disabledEvents());
  }

  private void activate(URI url, Set<String> eventsOff) {
    Delivery delivery =
        new Delivery(
            limits.delivery(), parts.timers(), queue, stats, encoder, parts.random(), parts.senders().apply(url),
            parts.breakers().apply(this::onHalfOpen), this);
    phase = new Phase.Active(delivery, eventsOff);
    if (!eventsOff.isEmpty()) {
      int before = queue.size();
      queue.removeIf(e -> eventsOff.contains(e.name()));
      drop(DropReason.DISABLED, before - queue.size());
      signalFullness(); // the room this made may be the only news the handles get
    }
    if (closing != null) {
      closing.step();
    } else if (queue.size() >= limits.delivery().batchSize() || !flushWaiters.isEmpty()) {
      delivery.sendNext();
    } else {
      delivery.armInterval();
    }
    completeFlushWaitersIfSettled();
  }

  private void onHalfOpen() {
    if (closing == null && phase instanceof Phase.Active a) {
      a.delivery().sendNext();
    }
  }

  /** Switches off for the rest of this client; what is held is dropped as {@code disabled}. */
  void disable(Decision why) {
    if (phase instanceof Phase.Disabled || phase instanceof Phase.Closed || phase instanceof Phase.Off) {
      return;
    }
    decision = why;
    Delivery delivery = phase instanceof Phase.Active a ? a.delivery() : null;
    phase = new Phase.Disabled(delivery);
    // Tell the publishers, so that their record() goes back to a volatile read and nothing more.
    parts.signals().disabled(why);
    dropQueue(DropReason.DISABLED);
    if (delivery != null) {
      // A retry waiting is dropped now; an attempt still on the wire settles when it answers.
      delivery.cancelWake();
      delivery.abandonRetry(closing != null ? DropReason.SHUTDOWN : DropReason.DISABLED);
    }
    if (closing != null) {
      closing.step();
    }
    completeFlushWaitersIfSettled();
  }

  /** A control message: {@code {"disable": "<why>"}} from a handle of this Vertx. */
  public void onControl(Object body) {
    String why = BusProtocol.disableRequest(body);
    if (why != null) {
      disable(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, why));
    }
  }

  // ---------------------------------------------------------------- Delivery.Host

  @Override
  public void afterSettle() {
    if (closing != null) {
      closing.step();
    } else if (phase instanceof Phase.Active a) {
      if (queue.size() >= limits.delivery().batchSize() || !flushWaiters.isEmpty()) {
        a.delivery().sendNext();
      } else {
        a.delivery().armInterval();
      }
    }
    completeFlushWaitersIfSettled();
  }

  @Override
  public void afterBackoff() {
    completeFlushWaitersIfSettled();
  }

  @Override
  public void rejectedForGood(Decision why) {
    disable(why);
  }

  @Override
  public void drop(DropReason reason, long n) {
    if (n > 0) {
      stats.dropped(reason, n);
      droppedSinceLog += n;
    }
  }

  @Override
  public void heldChanged() {
    signalFullness();
  }

  @Override
  public void beforeBatch() {
    if (droppedSinceLog > 0 && LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, "telemetry dropped {0} events since the last batch; {1}", droppedSinceLog, snapshot());
    }
    droppedSinceLog = 0;
  }

  @Override
  public boolean closing() {
    return closing != null;
  }

  @Override
  public boolean active() {
    return phase instanceof Phase.Active;
  }

  // ---------------------------------------------------------------- flush, stats, close

  /** Sends everything held now; completes when nothing is held, or sending cannot progress. */
  public void flush(Promise<Stats> waiter) {
    flushWaiters.add(waiter);
    if (phase instanceof Phase.Active a) {
      a.delivery().sendNext();
    }
    completeFlushWaitersIfSettled();
  }

  void completeFlushWaitersIfSettled() {
    if (flushWaiters.isEmpty()) {
      return;
    }
    boolean settled =
        phase instanceof Phase.Fetching ? false : !(phase instanceof Phase.Active a) || a.delivery().flushSettled();
    if (settled) {
      Stats s = snapshot();
      List<Promise<Stats>> waiters = new ArrayList<>(flushWaiters);
      flushWaiters.clear();
      waiters.forEach(p -> p.tryComplete(s));
    }
  }

  /** The counters now, with {@code pending} measured. */
  public Stats snapshot() {
    return stats.snapshot(held());
  }

  /** The answer to a stats request on the bus. */
  public JsonObject statsReply() {
    return BusProtocol.statsReply(snapshot(), decision);
  }

  /** The answer to a status request on the bus. */
  public JsonObject statusReply() {
    return BusProtocol.statusReply(decision, snapshot().rejectedNames());
  }

  /** The current decision; readable from any thread. */
  public Decision decision() {
    return decision;
  }

  /** Closes within the configured close deadline ({@link #close(long)}). */
  public Future<CloseReport> close() {
    return close(limits.closeTimeoutMs());
  }

  /** Closes within {@code timeoutMs} (see {@link Closing}); idempotent: later calls get the first close's report. */
  public Future<CloseReport> close(long timeoutMs) {
    if (closing == null) {
      closing = new Closing(this, parts, timeoutMs, stats.snapshot(0));
      closing.begin();
    }
    return closing.future();
  }

  // ---------------------------------------------------------------- for Closing

  Phase phase() {
    return phase;
  }

  boolean queueEmpty() {
    return queue.isEmpty();
  }

  int held() {
    Delivery d = delivery();
    return queue.size() + (d == null ? 0 : d.held());
  }

  /** The send loop, active or lingering after a switch-off; null before activation. */
  Delivery delivery() {
    return phase instanceof Phase.Active a ? a.delivery() : phase instanceof Phase.Disabled d ? d.lingering() : null;
  }

  void dropQueue(DropReason reason) {
    drop(reason, queue.size());
    queue.clear();
    signalFullness();
  }

  /** The end of every close: releases everything, settles what is left, reports. */
  CloseReport finish(boolean deadlineReached, Stats atStart) {
    Delivery d = delivery();
    if (d != null) {
      d.cutShort(DropReason.SHUTDOWN); // an attempt still on the wire ends with the client
      d.close();
    }
    dropQueue(DropReason.SHUTDOWN);
    parts.release().run();
    phase = new Phase.Closed();
    signalFullness(); // a shipper that closed full must not leave the handles dropping
    Stats finalStats = snapshot();
    completeFlushWaitersIfSettled();
    return new CloseReport(
        finalStats.sent() - atStart.sent(), finalStats.droppedTotal() - atStart.droppedTotal(), deadlineReached, finalStats);
  }

  /**
   * Tells the handles of this Vertx when the queue fills up and when it has room again, only when
   * that changes. While it is full, an event handed off would be dropped here as {@code
   * queue_full} anyway; a handle drops it at the caller's side instead, counted the same, without a
   * hand-off, a bus message or a wake-up of this shipper.
   */
  private void signalFullness() {
    boolean full = !(phase instanceof Phase.Closed) && held() >= limits.capacity();
    if (full != announcedFull) {
      announcedFull = full;
      parts.signals().fullness(full);
    }
  }
}
