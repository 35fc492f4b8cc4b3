package dev.beacon.vertx;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.impl.EventBatchCodec;
import dev.beacon.vertx.impl.TelemetryEventCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The recording face of Beacon for code running in Vert.x: {@code
 * Telemetry.of(vertx).record("create_run", Map.of("imports", List.of("smile")))}. Events travel on
 * the event bus to a {@link TelemetryVerticle} (in this Vertx or, on a clustered bus, another
 * node), which checks, batches and ships them.
 *
 * <p><b>Cost.</b> When telemetry is off (opt-out variable, {@code DO_NOT_TRACK}, CI, {@link
 * #disable()}, or the shipper switched itself off), {@code record} and {@code track} cost one
 * volatile read: no allocation, no bus message. When on, a record re-reads the two opt-out system
 * properties (the live switch) and stamps the event; then:
 *
 * <ul>
 *   <li>on an event loop of this Vertx (a verticle, a request handler), the event goes into an
 *       array that only that event loop touches, and that same event loop hands it off: at the end
 *       of the current turn after a quiet spell, else at most once per {@code handOffDelayMs}
 *       (1 ms by default), or at once when {@value #MAX_STRIPE_CHUNK} events (or {@code capacity},
 *       if smaller) are waiting. No lock, no compare-and-set, no task for another thread: under a
 *       stream, each event loop sends at most a thousand bus messages a second, however fast events
 *       come;
 *   <li>on any other thread, the event goes into a lock-free buffer bounded by the {@code capacity}
 *       option (past it events are counted as {@code queue_full}); the first event of a hand-off
 *       schedules one task on this handle's event loop, which sends everything gathered as
 *       <em>one</em> bus message, with the same delay.
 * </ul>
 *
 * <p>While the {@link TelemetryVerticle} of this Vertx says its queue is full (its endpoint is down
 * or slow), a record is counted as {@code queue_full} here, as the shipper would have on arrival,
 * and nothing is handed off, until it says it has room again.
 *
 * <p>The caller never waits and never sees an exception. Hand-offs do not depend on the verticle
 * that recorded or created the handle staying deployed, and a {@link TelemetryVerticle} that
 * closes first has the handles of its Vertx hand off what they hold, so nothing recorded before
 * close is left behind.
 *
 * <p>Thread-safe: record from any thread. {@link #of(Vertx)} returns one shared handle per Vertx and
 * address.
 */
public final class Telemetry {

  private static final String REGISTRY = "dev.beacon.telemetry.handles";

  private final Vertx vertx;
  private final Context context;
  private final String address;
  private final Profile profile;
  private final Environment environment;
  private final int bound;
  private final Future<?> ready;
  private final ConcurrentLinkedQueue<TelemetryEvent> buffer = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final LongAdder droppedHere = new LongAdder();
  private final LongAdder droppedDisabled = new LongAdder();
  private final LongAdder recordedHere = new LongAdder();
  private final long handOffDelayNanos;
  private long lastHandOffNanos; // on this handle's event loop only
  private final Handler<Long> drainAfterDelay = id -> drain();
  private final Handler<Void> handOffTask = v -> handOff();
  /** Per event-loop thread: the events recorded there, handed off from there. */
  private final ThreadLocal<Stripe> stripes = new ThreadLocal<>();
  private final List<Stripe> allStripes = new CopyOnWriteArrayList<>();
  private final int stripeChunk;
  private volatile boolean enabled;
  private volatile boolean shipperFull; // announced by the shipper of this Vertx (signalFullness)
  private volatile Decision decision;

  private Telemetry(Vertx vertx, TelemetryOptions options, Environment environment, Future<?> ready) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.address = options.getAddress();
    this.profile =
        Profiles.named(options.getProfile(), options.getSdkVersion() == null ? "unknown" : options.getSdkVersion());
    this.environment = environment;
    this.bound = options.getCapacity();
    this.stripeChunk = Math.max(1, Math.min(bound, MAX_STRIPE_CHUNK));
    this.handOffDelayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(1_000, options.getHandOffDelayMs())));
    this.lastHandOffNanos = System.nanoTime() - handOffDelayNanos;
    this.ready = ready;
    this.decision = environment.consent(profile);
    this.enabled = decision.enabled();
    if (enabled) {
      TelemetryEventCodec.register(vertx.eventBus());
      EventBatchCodec.register(vertx.eventBus());
      register(vertx, address, this);
      // The shipper announces when it switches itself off (stop sending at once), and when its
      // queue fills up or has room again (while full, drop here: see hand()).
      vertx.eventBus()
          .<Object>consumer(TelemetryVerticle.controlAddress(address))
          .handler(
              m -> {
                if (m.body() instanceof JsonObject json && json.getValue("disabled") instanceof String cause) {
                  switchOff(Decision.disabled(causeOf(cause), json.getString("detail", cause)));
                }
              });
      vertx.eventBus()
          .<Object>localConsumer(TelemetryVerticle.fullnessAddress(address))
          .handler(
              m -> {
                if (m.body() instanceof JsonObject json && json.getValue("full") instanceof Boolean full) {
                  shipperFull = full;
                }
              });
    }
  }

  /** The shared handle for the default address ({@value TelemetryOptions#DEFAULT_ADDRESS}) and profile. */
  public static Telemetry of(Vertx vertx) {
    return of(vertx, new TelemetryOptions());
  }

  /** The shared handle for {@code address} and the default profile. */
  public static Telemetry of(Vertx vertx, String address) {
    return of(vertx, new TelemetryOptions().setAddress(address));
  }

  /**
   * The shared handle for the options' address (one per Vertx and address; the first call's
   * options win), reading the real environment.
   */
  public static Telemetry of(Vertx vertx, TelemetryOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    LocalMap<String, Holder> handles = vertx.sharedData().getLocalMap(REGISTRY);
    Holder holder = handles.get(options.getAddress());
    if (holder == null) {
      Holder fresh = new Holder(new Telemetry(vertx, new TelemetryOptions(options), Environment.system(), null));
      holder = handles.putIfAbsent(options.getAddress(), fresh);
      if (holder == null) {
        holder = fresh;
      }
    }
    return holder.telemetry;
  }

  /**
   * A new, unshared handle with this environment: tests and embedders pass maps instead of the real
   * environment.
   */
  public static Telemetry create(Vertx vertx, TelemetryOptions options, Environment environment) {
    return new Telemetry(vertx, new TelemetryOptions(options), environment, null);
  }

  /** A handle whose hand-offs wait for {@code ready} (the standalone client's deployment). */
  static Telemetry create(Vertx vertx, TelemetryOptions options, Environment environment, Future<?> ready) {
    return new Telemetry(vertx, new TelemetryOptions(options), environment, ready);
  }

  private record Holder(Telemetry telemetry) implements Shareable {}

  // ------------------------------------------------------------------ close coordination

  private static final String LIVE = "dev.beacon.telemetry.live";

  /** The handles of one Vertx and address, weakly held (a handle has no close of its own). */
  private record Live(List<WeakReference<Telemetry>> handles) implements Shareable {}

  private static void register(Vertx vertx, String address, Telemetry handle) {
    LocalMap<String, Live> live = vertx.sharedData().getLocalMap(LIVE);
    Live fresh = new Live(new CopyOnWriteArrayList<>());
    Live existing = live.putIfAbsent(address, fresh);
    Live entry = existing != null ? existing : fresh;
    entry.handles().removeIf(r -> r.get() == null);
    entry.handles().add(new WeakReference<>(handle));
  }

  /**
   * Asks every handle of this Vertx that publishes on {@code address} to hand off what it holds
   * now, without waiting for its hand-off delay. Completes once each has sent its bus message (or
   * had nothing to send), so a shipper that is closing receives them before it finishes.
   */
  static Future<Void> handOffAll(Vertx vertx, String address) {
    LocalMap<String, Live> live = vertx.sharedData().getLocalMap(LIVE);
    Live entry = live.get(address);
    if (entry == null) {
      return Future.succeededFuture();
    }
    List<Future<Void>> all = new ArrayList<>();
    for (WeakReference<Telemetry> ref : entry.handles()) {
      Telemetry handle = ref.get();
      if (handle != null && handle.enabled) {
        if (handle.buffered.get() > 0) {
          all.add(handle.handOffNow());
        }
        for (Stripe stripe : handle.allStripes) {
          if (stripe.held() > 0) {
            all.add(stripe.handOffNow());
          }
        }
      }
    }
    return all.isEmpty() ? Future.succeededFuture() : Future.join(all).mapEmpty();
  }

  /** On this handle's event loop: everything held goes on the bus now. */
  private Future<Void> handOffNow() {
    return runOn(
        context,
        () -> {
          if (ready == null || ready.isComplete()) {
            drain();
          }
        });
  }

  /** Runs {@code action} on {@code context}; completes once it ran, or at once if the Vertx is gone. */
  private static Future<Void> runOn(Context context, Runnable action) {
    Promise<Void> done = Promise.promise();
    try {
      context.runOnContext(
          v -> {
            action.run();
            done.complete();
          });
    } catch (RuntimeException closed) {
      done.complete(); // the Vertx is gone: nothing can be handed off
    }
    return done.future();
  }

  // ------------------------------------------------------------------ recording

  /** Records a successful event without params. Never blocks, never throws. */
  public void record(String name) {
    if (enabled) {
      offer(name, Status.SUCCESS, null, null);
    }
  }

  /** Records a successful event. Never blocks, never throws. */
  public void record(String name, Map<String, ?> params) {
    if (enabled) {
      offer(name, Status.SUCCESS, null, params);
    }
  }

  /** Records an event as given (its timestamp is kept). Never blocks, never throws. */
  public void record(TelemetryEvent event) {
    if (enabled && event != null && live()) {
      hand(event);
    }
  }

  /** Records an event with its outcome and duration. Never blocks, never throws. */
  public void record(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (enabled) {
      offer(name, status, durationMs, params);
    }
  }

  /**
   * Runs {@code operation} and records its outcome (success or failure of the future) and
   * duration. The future is returned unchanged (the same instance); an exception thrown by {@code
   * operation} is recorded as a failure and rethrown unchanged.
   */
  public <T> Future<T> track(String name, Map<String, ?> params, Supplier<Future<T>> operation) {
    if (!enabled) {
      return operation.get();
    }
    long t0 = System.nanoTime();
    Future<T> future;
    try {
      future = operation.get();
    } catch (RuntimeException | Error e) {
      record(name, Status.FAILURE, elapsedMs(t0), params);
      throw e;
    }
    if (future == null) {
      record(name, Status.UNKNOWN, elapsedMs(t0), params);
      return null;
    }
    future.onComplete(ar -> record(name, ar.succeeded() ? Status.SUCCESS : Status.FAILURE, elapsedMs(t0), params));
    return future;
  }

  /** {@link #track(String, Map, Supplier)} without params. */
  public <T> Future<T> track(String name, Supplier<Future<T>> operation) {
    return track(name, null, operation);
  }

  static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  private void offer(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (live()) {
      hand(new TelemetryEvent(name, status, TelemetryEvent.nowEpochNanos(), durationMs, params));
    }
  }

  /** The live opt-out: the system properties, re-read on every event. */
  private boolean live() {
    Decision optOut = environment.liveOptOut(profile);
    if (optOut == null) {
      return true;
    }
    switchOff(optOut);
    return false;
  }

  private void hand(TelemetryEvent event) {
    recordedHere.increment();
    if (shipperFull) {
      // The shipper of this Vertx is full (its endpoint is down or slow): it would drop this event
      // as queue_full on arrival. Dropped here instead, counted the same, at no further cost.
      droppedHere.increment();
      return;
    }
    if (ready == null && Context.isOnEventLoopThread()) {
      Stripe stripe = stripes.get();
      if (stripe == null) {
        stripe = stripeForThisThread();
      }
      if (stripe != noStripe) {
        stripe.add(event);
        return;
      }
    }
    if (buffered.incrementAndGet() > bound) {
      buffered.decrementAndGet();
      droppedHere.increment();
      return;
    }
    buffer.offer(event);
    if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
      try {
        context.runOnContext(handOffTask);
      } catch (RuntimeException closed) {
        // The Vertx is gone (closed by its owner): this handle is done. Count, never throw.
        switchOff(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "the Vertx was closed"));
        discardBuffer();
      }
    }
  }

  private void discardBuffer() {
    int n = 0;
    while (buffer.poll() != null) {
      n++;
    }
    buffered.addAndGet(-n);
    droppedDisabled.add(n);
  }

  /**
   * On this handle's event loop, once per hand-off: at most one hand-off per {@code
   * handOffDelayMs}. After a quiet spell the events leave at once (a program that records a few
   * events and closes sees no delay); under a stream, events recorded meanwhile join this hand-off.
   */
  private void handOff() {
    long sinceLast = System.nanoTime() - lastHandOffNanos;
    if (handOffDelayNanos == 0 || sinceLast >= handOffDelayNanos) {
      drain();
    } else {
      timer(context, handOffDelayNanos - sinceLast, drainAfterDelay);
    }
  }

  /**
   * A timer on {@code context} that outlives the verticle that context may belong to. Vert.x's
   * public timers ({@code vertx.setTimer}) set from a verticle's context are cancelled when that
   * verticle is undeployed, which would strand what a handle holds (and, for the shared buffer,
   * every later hand-off); {@link ContextInternal#setTimer} is the same timer without that close
   * hook (Vert.x's own modules use it for the same reason).
   */
  private static void timer(Context context, long delayNanos, Handler<Long> handler) {
    ((ContextInternal) context).setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), handler);
  }

  /** On this handle's event loop: everything gathered since the last hand-off, as one bus message. */
  private void drain() {
    if (ready != null && !ready.isComplete()) {
      ready.onComplete(ar -> drain());
      return;
    }
    drainScheduled.set(false);
    int n = buffered.get();
    if (n <= 0) {
      return;
    }
    TelemetryEvent[] batch = new TelemetryEvent[n];
    int i = 0;
    while (i < n) {
      TelemetryEvent e = buffer.poll();
      if (e == null) {
        break;
      }
      batch[i++] = e;
    }
    buffered.addAndGet(-i);
    if (i == 0) {
      return;
    }
    if (i < n) {
      batch = Arrays.copyOf(batch, i);
    }
    if (send(batch)) {
      lastHandOffNanos = System.nanoTime();
    }
  }

  /** One hand-off: on the bus as one message, or counted as {@code disabled} if telemetry is off now. */
  private boolean send(TelemetryEvent[] batch) {
    if (!enabled) {
      droppedDisabled.add(batch.length);
      return false;
    }
    vertx.eventBus().send(address, batch);
    return true;
  }

  // ------------------------------------------------------------------ per-event-loop stripes

  /** The most events a stripe holds before it hands off without waiting for the delay. */
  static final int MAX_STRIPE_CHUNK = 1_024;

  /** The stripe of threads that have none (not an event loop of this handle's Vertx). */
  private final Stripe noStripe = new Stripe(null);

  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Stripe.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * On an event loop of this handle's Vertx, its stripe (made once per thread); on an event loop
   * of another Vertx, noStripe (remembered); outside any context (a raw Netty callback), noStripe
   * for this record only.
   */
  private Stripe stripeForThisThread() {
    Context current = Vertx.currentContext();
    if (!(current instanceof ContextInternal internal)
        || !current.isEventLoopContext()
        || !internal.nettyEventLoop().inEventLoop()) {
      return noStripe;
    }
    Stripe stripe = noStripe;
    if (current.owner() == vertx) {
      stripe = new Stripe(internal.unwrap());
      allStripes.add(stripe);
    }
    stripes.set(stripe);
    return stripe;
  }

  /**
   * The events recorded on one event-loop thread, handed off from that same thread: recording
   * there writes to an array only that thread touches (no shared buffer, no compare-and-set, no
   * task for another thread), and the hand-off is a timer on that loop. After a quiet spell the
   * events leave at the end of the current event-loop turn; under a stream at most once per
   * {@code handOffDelayMs}, or as soon as {@link #MAX_STRIPE_CHUNK} events (or the capacity, if
   * smaller) are waiting. Every field is touched by the owning thread only, except {@code count},
   * which stats and close read from other threads.
   */
  private final class Stripe {
    private final ContextInternal context;
    private final Handler<Void> endOfTurn = v -> onSchedule();
    private final Handler<Long> afterDelay = id -> onSchedule();
    private TelemetryEvent[] events = new TelemetryEvent[16];
    private int count; // through COUNT: written with release, read by other threads with acquire
    private boolean scheduled;
    private long lastHandOffNanos = System.nanoTime() - handOffDelayNanos;

    Stripe(ContextInternal context) {
      this.context = context;
    }

    /** On the owning thread. */
    void add(TelemetryEvent event) {
      int n = (int) COUNT.get(this);
      if (n == events.length) {
        events = Arrays.copyOf(events, Math.min(stripeChunk, n * 2));
      }
      events[n] = event;
      COUNT.setRelease(this, n + 1);
      if (n + 1 >= stripeChunk) {
        handOff();
      } else if (!scheduled) {
        schedule();
      }
    }

    private void schedule() {
      scheduled = true;
      long sinceLast = System.nanoTime() - lastHandOffNanos;
      try {
        if (handOffDelayNanos == 0 || sinceLast >= handOffDelayNanos) {
          context.runOnContext(endOfTurn);
        } else {
          timer(context, handOffDelayNanos - sinceLast, afterDelay);
        }
      } catch (RuntimeException closed) {
        // The Vertx is gone (closed by its owner): this handle is done. Count, never throw.
        switchOff(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "the Vertx was closed"));
        handOff();
      }
    }

    private void onSchedule() {
      scheduled = false;
      handOff();
    }

    /** On the owning thread: everything held, as one bus message (or counted, when off). */
    void handOff() {
      int n = (int) COUNT.get(this);
      if (n == 0) {
        return;
      }
      TelemetryEvent[] batch = Arrays.copyOf(events, n);
      Arrays.fill(events, 0, n, null);
      COUNT.setRelease(this, 0);
      if (send(batch)) {
        lastHandOffNanos = System.nanoTime();
      }
    }

    int held() {
      return (int) COUNT.getAcquire(this);
    }

    /** From any thread: has the owning thread hand off what it holds now. */
    Future<Void> handOffNow() {
      return runOn(context, this::handOff);
    }
  }

  private int heldInStripes() {
    int n = 0;
    for (Stripe stripe : allStripes) {
      n += stripe.held();
    }
    return n;
  }

  // ------------------------------------------------------------------ switches and status

  /**
   * Switches telemetry off for this handle at once, and asks the shippers deployed in this Vertx
   * to switch off too (they drop what they hold, counted as {@code disabled}). Use it when the user
   * opts out at run time. On a clustered bus, other nodes' shippers are not affected: the opt-out
   * is this process's.
   */
  public void disable() {
    Decision off = Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "disabled by the application");
    boolean wasOn = enabled;
    switchOff(off);
    if (wasOn) {
      // This process's opt-out: the shippers of this Vertx stop, a cluster's other nodes do not.
      vertx.eventBus().publish(
          TelemetryVerticle.controlAddress(address),
          new JsonObject().put("disable", off.detail()),
          new DeliveryOptions().setLocalOnly(true));
    }
  }

  private void switchOff(Decision why) {
    decision = why;
    enabled = false;
  }

  /** Whether this handle currently records. One volatile read. */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Whether telemetry is on here and why: the local decision when it is off here; otherwise the
   * shipper's (remote config, ingestion rejection), or the local one when no shipper answers within
   * a second.
   */
  public Future<Decision> status() {
    Decision local = decision;
    if (!enabled) {
      return Future.succeededFuture(local);
    }
    return shipperStats()
        .map(reply -> decisionOf(reply, local))
        .otherwise(local);
  }

  /**
   * The shipper's counters plus what this handle holds or counted itself: events still in its
   * buffer (pending), and events refused because its buffer was full ({@code queue_full}) or
   * telemetry switched off before hand-off ({@code disabled}). A bus message in transit between
   * the two is in neither for that instant. Fails when no shipper answers.
   */
  public Future<Stats> stats() {
    return shipperStats().map(reply -> withLocalCounts(Stats.fromMap(reply.getMap())));
  }

  /**
   * {@code shipper}'s counters plus this handle's own: its buffer (recorded and pending) and its
   * refusals ({@code queue_full} when its buffer was full, {@code disabled} when telemetry switched
   * off before hand-off). For a shipper in this process that this handle alone feeds, the result
   * satisfies {@code recorded = sent + pending + dropped} whenever {@code shipper} does.
   */
  public Stats withLocalCounts(Stats shipper) {
    long full = droppedHere.sum();
    long off = droppedDisabled.sum();
    long here = buffered.get() + heldInStripes();
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
        shipper.resent());
  }

  /** Whether the shipper of this Vertx last said its queue was full (tests). */
  boolean shipperFull() {
    return shipperFull;
  }

  /** Events this handle took from callers (handed off, buffered, or refused here). */
  public long recordedHere() {
    return recordedHere.sum();
  }

  /** Events that left (or will leave) this handle for the bus: taken, minus those refused here. */
  long handedOff() {
    return recordedHere.sum() - droppedHere.sum() - droppedDisabled.sum();
  }

  private Future<JsonObject> shipperStats() {
    Promise<JsonObject> p = Promise.promise();
    vertx.eventBus()
        .request(TelemetryVerticle.statsAddress(address), null, new DeliveryOptions().setSendTimeout(1_000))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result().body() instanceof JsonObject json) {
                p.complete(json);
              } else {
                p.fail(ar.failed() ? ar.cause() : new ReplyException(ReplyFailure.NO_HANDLERS, "no shipper"));
              }
            });
    return p.future();
  }

  private static Decision decisionOf(JsonObject reply, Decision fallback) {
    Object cause = reply.getValue("decision_cause");
    if (!(cause instanceof String c)) {
      return fallback;
    }
    Decision.Cause parsed = causeOf(c);
    return parsed == Decision.Cause.ENABLED
        ? Decision.ENABLED
        : Decision.disabled(parsed, reply.getString("decision_detail", c));
  }

  private static Decision.Cause causeOf(String name) {
    try {
      return Decision.Cause.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Decision.Cause.REMOTE_CONFIG;
    }
  }

  /** The address this handle publishes on. */
  public String address() {
    return address;
  }

  @Override
  public String toString() {
    return "Telemetry{address=" + address + ", " + decision.describe() + "}";
  }
}
