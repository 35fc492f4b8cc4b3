package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The mechanics of one recording handle ({@code Telemetry}): the gate (on or off, and why), the
 * live opt-out re-check, the routing of each event to its buffer (the recording event loop's
 * {@link Stripes stripe}, or the {@link SharedBuffer}), the hand-off onto the bus, the handle's own
 * counts, and the two signals a shipper sends it (it switched off; its queue is full).
 *
 * <p>Thread-safe: {@link #hand} is called from any thread; it never blocks and never throws.
 */
public final class Recorder implements HandleRegistry.HandOffSource, HandOffSink {

  /** The least and most hand-off delay a handle uses, in milliseconds. */
  static final long MAX_HAND_OFF_DELAY_MS = 1_000;

  private final Vertx vertx;
  private final String address;
  private final Profile profile;
  private final Environment environment;
  private final boolean striped;
  private final SharedBuffer shared;
  private final Stripes stripes;
  private final LongAdder recorded = new LongAdder();
  private final LongAdder droppedFull = new LongAdder();
  private final LongAdder droppedDisabled = new LongAdder();
  private volatile boolean enabled;
  private volatile boolean shipperFull;
  private volatile Decision decision;

  /**
   * A handle's mechanics.
   *
   * @param profile the reporting profile (its opt-out variable is re-read on every event)
   * @param capacity the bound of the shared buffer (and of a stripe's chunk)
   * @param handOffDelayMs least time between two hand-offs of one buffer (clamped to 0..1000)
   * @param ready hand-offs wait for it (the standalone client's deployment), or {@code null};
   *     while it is pending every event goes to the shared buffer
   * @param ticker monotonic nanoseconds ({@code System::nanoTime})
   */
  public Recorder(
      Vertx vertx, String address, Profile profile, Environment environment, int capacity, long handOffDelayMs,
      Future<?> ready, LongSupplier ticker) {
    this.vertx = vertx;
    this.address = address;
    this.profile = profile;
    this.environment = environment;
    this.striped = ready == null;
    long delayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(MAX_HAND_OFF_DELAY_MS, handOffDelayMs)));
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    this.shared = new SharedBuffer(capacity, context, ready, new Pacer(delayNanos, ticker), this);
    this.stripes = new Stripes(vertx, capacity, delayNanos, ticker, this);
    this.decision = environment.consent(profile);
    this.enabled = decision.enabled();
    if (enabled) {
      BusProtocol.registerCodecs(vertx.eventBus());
      HandleRegistry.register(vertx, address, this);
      BusProtocol.onAnnouncement(vertx.eventBus(), address, body -> {
        Decision off = BusProtocol.disabledAnnouncement(body);
        if (off != null) {
          switchOff(off);
        }
      });
      BusProtocol.onFullness(vertx.eventBus(), address, body -> {
        Boolean full = BusProtocol.fullness(body);
        if (full != null) {
          shipperFull = full;
        }
      });
    }
  }

  /** Whether events may be recorded: one volatile read. */
  public boolean enabled() {
    return enabled;
  }

  /** The live opt-out (system properties), re-read on every event: false (and off for good) when set. */
  public boolean live() {
    Decision optOut = environment.liveOptOut(profile);
    if (optOut == null) {
      return true;
    }
    switchOff(optOut);
    return false;
  }

  /** Takes one event: into the recording event loop's stripe, or the shared buffer; counted either way. */
  public void hand(TelemetryEvent event) {
    recorded.increment();
    if (shipperFull) {
      // The shipper of this Vertx is full (its endpoint is down or slow): it would drop this event
      // as queue_full on arrival. Dropped here instead, counted the same, at no further cost.
      droppedFull.increment();
      return;
    }
    if (striped) {
      Stripes.Stripe stripe = stripes.forThisThread();
      if (stripe != null) {
        stripe.add(event);
        return;
      }
    }
    if (!shared.offer(event)) {
      droppedFull.increment();
    }
  }

  @Override
  public boolean send(TelemetryEvent[] batch) {
    if (!enabled) {
      droppedDisabled.add(batch.length);
      return false;
    }
    vertx.eventBus().send(address, batch);
    return true;
  }

  @Override
  public void vertxClosed() {
    switchOff(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "the Vertx was closed"));
    droppedDisabled.add(shared.discard());
  }

  @Override
  public Future<Void> handOffNow() {
    List<Future<Void>> all = new ArrayList<>(stripes.handOffAll());
    if (shared.held() > 0) {
      all.add(shared.handOffNow());
    }
    return all.isEmpty() ? Future.succeededFuture() : Future.join(all).mapEmpty();
  }

  /** Off for this handle at once, and the shippers of this Vertx asked to switch off too. */
  public void disable(String why) {
    boolean wasOn = enabled;
    switchOff(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, why));
    if (wasOn) {
      BusProtocol.requestDisable(vertx.eventBus(), address, why);
    }
  }

  private void switchOff(Decision why) {
    decision = why;
    enabled = false;
  }

  /** The local decision (why this handle is off, if it is). */
  public Decision decision() {
    return decision;
  }

  /**
   * {@code shipper}'s counters plus this handle's own: what its buffers hold (recorded and
   * pending), and its refusals ({@code queue_full}, {@code disabled}).
   */
  public Stats withLocalCounts(Stats shipper) {
    long full = droppedFull.sum();
    long off = droppedDisabled.sum();
    long here = shared.held() + stripes.held();
    EnumMap<DropReason, Long> dropped = new EnumMap<>(shipper.dropped());
    dropped.merge(DropReason.QUEUE_FULL, full, Long::sum);
    dropped.merge(DropReason.DISABLED, off, Long::sum);
    return new Stats(
        shipper.recorded() + full + off + here,
        shipper.sent(),
        shipper.pending() + here,
        dropped,
        shipper.paramsStripped(),
        shipper.paramsCoerced(),
        shipper.requests(),
        shipper.retries(),
        shipper.resent(),
        shipper.printed(),
        shipper.rejectedNames());
  }

  /** Events taken from callers (handed off, held, or refused here). */
  public long recorded() {
    return recorded.sum();
  }

  /** Events that left (or will leave) this handle for the bus: taken, minus those refused here. */
  public long handedOff() {
    return recorded.sum() - droppedFull.sum() - droppedDisabled.sum();
  }

  /** Whether the shipper of this Vertx last said its queue was full. */
  public boolean shipperFull() {
    return shipperFull;
  }

  /** Whether telemetry is on here, and why ({@link BusProtocol#status}). */
  public Future<Decision> status() {
    Decision local = decision;
    return enabled ? BusProtocol.status(vertx, address, local) : Future.succeededFuture(local);
  }

  /** The stats reply of the shipper on this handle's address; fails when none answers in time. */
  public Future<io.vertx.core.json.JsonObject> shipperStats() {
    return BusProtocol.requestStats(vertx, address);
  }

  /** The address this handle publishes on. */
  public String address() {
    return address;
  }
}
