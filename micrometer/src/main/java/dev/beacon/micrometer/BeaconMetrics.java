package dev.beacon.micrometer;

import dev.beacon.DropReason;
import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToDoubleFunction;

/**
 * Beacon's counters as Micrometer meters, for a {@link TelemetryVerticle} (the shipper), a {@link
 * Telemetry} handle (its shipper's counters plus its own buffers) or a {@link TelemetryClient}:
 *
 * <pre>{@code
 * BeaconMetrics metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
 * metrics.bindTo(registry);
 * ...
 * metrics.close(); // stops refreshing and removes the meters
 * }</pre>
 *
 * <table>
 *   <caption>Meters (every one tagged {@code profile} and {@code address}, plus the tags given)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code beacon.events.recorded}</td><td>counter</td><td>events that reached Beacon</td></tr>
 *   <tr><td>{@code beacon.events.sent}</td><td>counter</td><td>acknowledged by the endpoint (2xx)</td></tr>
 *   <tr><td>{@code beacon.events.printed}</td><td>counter</td><td>printed in debug mode instead of sent</td></tr>
 *   <tr><td>{@code beacon.events.dropped}</td><td>counter</td><td>tag {@code reason}: one meter per {@link DropReason} key, zero included</td></tr>
 *   <tr><td>{@code beacon.events.pending}</td><td>gauge</td><td>held: queued, awaiting the config, in flight (a handle's: in its buffers too)</td></tr>
 *   <tr><td>{@code beacon.events.resent}</td><td>counter</td><td>sent again after a lost answer (may arrive twice)</td></tr>
 *   <tr><td>{@code beacon.requests}</td><td>counter</td><td>ingestion requests attempted, retries included</td></tr>
 *   <tr><td>{@code beacon.retries}</td><td>counter</td><td>retry attempts</td></tr>
 *   <tr><td>{@code beacon.params.stripped}, {@code beacon.params.coerced}</td><td>counter</td><td>params removed, or replaced by {@code "other"} or a cap, by the privacy guard</td></tr>
 *   <tr><td>{@code beacon.enabled}</td><td>gauge</td><td>1 while telemetry is on, else 0 (read live)</td></tr>
 *   <tr><td>{@code beacon.stats.age}</td><td>gauge</td><td>seconds since the snapshot behind the other meters was taken</td></tr>
 * </table>
 *
 * <p>The event meters partition: {@code recorded = sent + printed + pending + sum(dropped)}, so no
 * sum over a tag counts an event twice.
 *
 * <p><b>Staleness.</b> Meters read the last snapshot and never do I/O when scraped, so a scrape on
 * an event loop costs a field read. The snapshot is refreshed every {@code refreshInterval} ({@value
 * #DEFAULT_REFRESH_SECONDS} s by default), at bind time, and on {@link #refresh()}: a value is at
 * most one interval (plus one stats round trip) old; {@code beacon.stats.age} says how old. A
 * verticle's or handle's refresh runs on a one-shot timer of the given Vertx, re-armed, and asks
 * for stats without blocking (a handle's stats travel on the bus; when no shipper answers, the
 * last snapshot stays). A {@link TelemetryClient} keeps its Vertx to itself and its only stats call
 * is {@link TelemetryClient#flush(Duration)}, which sends what is pending and blocks: the binder
 * runs it on one daemon thread of its own, so each refresh also flushes; keep the interval at or
 * above the batch interval.
 *
 * <p>Counters never go backwards: a value read lower than the last (for an instant a hand-off on
 * the bus is in neither the handle's count nor the shipper's) keeps the last.
 *
 * <p>Thread-safe. Configure ({@link #tags}, {@link #refreshInterval}) before the first {@link
 * #bindTo}; afterwards they throw {@link IllegalStateException}. The registries hold the binder
 * strongly while its meters are registered. Nothing here throws into a scrape or a timer.
 */
public final class BeaconMetrics implements MeterBinder, AutoCloseable {

  /** Default refresh interval, in seconds: 10 (Beacon's default batch interval). */
  public static final long DEFAULT_REFRESH_SECONDS = 10;
  /** Default refresh interval: {@value #DEFAULT_REFRESH_SECONDS} s. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(DEFAULT_REFRESH_SECONDS);
  /** How long a client's refresh may wait for its flush: 1 s. */
  public static final Duration CLIENT_FLUSH_TIMEOUT = Duration.ofSeconds(1);

  private record Bound(MeterRegistry registry, Meter meter) {}

  private final StatsSource source;
  private final Object lock = new Object();
  private final List<Bound> bound = new ArrayList<>(); // guarded by lock
  private Tags tags; // guarded by lock; fixed at the first bindTo
  private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL; // likewise
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock
  private Runnable cancelTimer; // guarded by lock
  private volatile Stats snapshot = Stats.EMPTY;
  private volatile long snapshotNanos = System.nanoTime();
  private volatile CompletableFuture<Stats> nextTimed = new CompletableFuture<>();

  private BeaconMetrics(StatsSource source, TelemetryOptions options) {
    this.source = source;
    Objects.requireNonNull(options, "options");
    this.tags = Tags.of("profile", String.valueOf(options.getProfile()), "address", String.valueOf(options.getAddress()));
  }

  /**
   * Meters for a deployed shipper.
   *
   * @param vertx the Vertx it is deployed in (refresh timers run there)
   * @param options the options it was deployed with: its profile and address tag the meters
   */
  public static BeaconMetrics forVerticle(Vertx vertx, TelemetryVerticle verticle, TelemetryOptions options) {
    return new BeaconMetrics(
        StatsSource.of(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(verticle, "verticle")), options);
  }

  /**
   * Meters for a handle ({@code Telemetry.of(vertx)}): its shipper's counters (on a clustered bus,
   * whichever shipper answers) plus what the handle holds and refused itself.
   *
   * @param vertx the handle's Vertx (refresh timers run there)
   * @param options the options of the handle and its shipper: profile and address tag the meters
   */
  public static BeaconMetrics forHandle(Vertx vertx, Telemetry telemetry, TelemetryOptions options) {
    return new BeaconMetrics(
        StatsSource.of(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(telemetry, "telemetry")), options);
  }

  /**
   * Meters for a standalone client. Each refresh is a {@link TelemetryClient#flush(Duration)} of
   * at most {@link #CLIENT_FLUSH_TIMEOUT}, on a daemon thread the binder owns until {@link #close()}.
   *
   * @param options the options the client was started with: profile and address tag the meters
   */
  public static BeaconMetrics forClient(TelemetryClient client, TelemetryOptions options) {
    return new BeaconMetrics(StatsSource.of(Objects.requireNonNull(client, "client"), CLIENT_FLUSH_TIMEOUT), options);
  }

  /** Meters over any source (tests). */
  static BeaconMetrics of(StatsSource source, TelemetryOptions options) {
    return new BeaconMetrics(source, options);
  }

  /** Adds tags to every meter (an application name, an instance). Before the first {@link #bindTo}. */
  public BeaconMetrics tags(Iterable<Tag> extra) {
    synchronized (lock) {
      configurable();
      tags = tags.and(extra);
      return this;
    }
  }

  /**
   * How often the snapshot is refreshed; {@value #DEFAULT_REFRESH_SECONDS} s by default. Before the
   * first {@link #bindTo}.
   *
   * @throws IllegalArgumentException when not positive
   */
  public BeaconMetrics refreshInterval(Duration interval) {
    if (interval == null || interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("refreshInterval must be positive, but was " + interval);
    }
    synchronized (lock) {
      configurable();
      refreshInterval = interval;
      return this;
    }
  }

  private void configurable() {
    if (started) {
      throw new IllegalStateException("configure BeaconMetrics before bindTo");
    }
  }

  /**
   * Registers the meters in {@code registry}, and on the first call takes a first snapshot and
   * starts the refresh timer. A registry that has a meter of the same name and tags already keeps
   * that one (Micrometer's rule), and this binder's {@link #close()} leaves it there: close the
   * binder that made it first (a redeployed verticle's old binder, say), or tag the two apart.
   * After {@link #close()}, does nothing.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    boolean first;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Set<Meter> before = new HashSet<>(registry.getMeters());
      for (Meter meter : meters(registry, tags)) {
        if (!before.contains(meter)) {
          bound.add(new Bound(registry, meter)); // ours: close() removes it; one that was there stays
        }
      }
      first = !started;
      started = true;
    }
    if (first) {
      refresh().whenComplete((s, e) -> arm());
    }
  }

  private List<Meter> meters(MeterRegistry registry, Tags tags) {
    List<Meter> out = new ArrayList<>();
    out.add(counter(registry, tags, "beacon.events.recorded", "events that reached Beacon", "events", Stats::recorded));
    out.add(counter(registry, tags, "beacon.events.sent", "events acknowledged by the ingestion endpoint", "events", Stats::sent));
    out.add(counter(registry, tags, "beacon.events.printed", "events printed in debug mode instead of sent", "events", Stats::printed));
    for (DropReason reason : DropReason.values()) {
      out.add(counter(registry, tags.and("reason", reason.key()), "beacon.events.dropped", "events dropped, by reason", "events",
          s -> s.dropped(reason)));
    }
    out.add(counter(registry, tags, "beacon.events.resent", "events sent again after a lost answer", "events", Stats::resent));
    out.add(counter(registry, tags, "beacon.requests", "ingestion requests attempted, retries included", "requests", Stats::requests));
    out.add(counter(registry, tags, "beacon.retries", "ingestion retry attempts", "requests", Stats::retries));
    out.add(counter(registry, tags, "beacon.params.stripped", "params removed by the privacy guard", "params", Stats::paramsStripped));
    out.add(counter(registry, tags, "beacon.params.coerced", "params replaced by a safe value by the privacy guard", "params",
        Stats::paramsCoerced));
    out.add(gauge(registry, tags, "beacon.events.pending", "events held: queued, awaiting the config, or in flight", "events",
        m -> m.snapshot.pending()));
    out.add(gauge(registry, tags, "beacon.enabled", "1 while telemetry is on, else 0", null, m -> m.enabledNow() ? 1 : 0));
    out.add(gauge(registry, tags, "beacon.stats.age", "age of the snapshot behind the Beacon meters", "seconds",
        m -> (System.nanoTime() - m.snapshotNanos) / 1e9));
    return out;
  }

  private FunctionCounter counter(
      MeterRegistry registry, Tags tags, String name, String description, String unit, ToDoubleFunction<Stats> value) {
    return FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.snapshot))
        .tags(tags)
        .description(description)
        .baseUnit(unit)
        .register(registry);
  }

  private Gauge gauge(
      MeterRegistry registry, Tags tags, String name, String description, String unit, ToDoubleFunction<BeaconMetrics> value) {
    // strong: the registry keeps the binder (and so its function counters, which Micrometer holds weakly) alive
    return Gauge.builder(name, this, value)
        .tags(tags)
        .description(description)
        .baseUnit(unit)
        .strongReference(true)
        .register(registry);
  }

  private boolean enabledNow() {
    try {
      return source.enabled();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Takes a snapshot now, without blocking the caller. Completes with the snapshot the meters show
   * afterwards: the new one, or the last one when none came (no shipper answered, the flush timed
   * out, the binder is closed). Never completes exceptionally.
   */
  public CompletionStage<Stats> refresh() {
    CompletionStage<Stats> fresh;
    try {
      fresh = source.stats();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(snapshot);
    }
    return fresh.handle((s, e) -> {
      if (s != null) {
        advance(s);
      }
      return snapshot;
    });
  }

  private void advance(Stats next) {
    synchronized (lock) {
      snapshot = monotonic(snapshot, next);
      snapshotNanos = System.nanoTime();
    }
  }

  /** {@code next}, with each counter at least {@code last}'s; {@code pending} as {@code next} says. */
  static Stats monotonic(Stats last, Stats next) {
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, Math.max(last.dropped(r), next.dropped(r)));
    }
    return new Stats(
        Math.max(last.recorded(), next.recorded()), Math.max(last.sent(), next.sent()), next.pending(), dropped,
        Math.max(last.paramsStripped(), next.paramsStripped()), Math.max(last.paramsCoerced(), next.paramsCoerced()),
        Math.max(last.requests(), next.requests()), Math.max(last.retries(), next.retries()),
        Math.max(last.resent(), next.resent()), Math.max(last.printed(), next.printed()), next.rejectedNames());
  }

  /** One-shot timers re-armed after each refresh (a periodic timer cancelled in its first run can throw on Vert.x 5.0.7). */
  private void arm() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        cancelTimer = source.schedule(refreshInterval.toMillis(), () -> refresh().whenComplete((s, e) -> {
          CompletableFuture<Stats> done = nextTimed;
          nextTimed = new CompletableFuture<>();
          done.complete(s);
          arm();
        }));
      } catch (RuntimeException gone) {
        cancelTimer = null; // the Vertx is closed: the last snapshot stays
      }
    }
  }

  /** The snapshot the meters show now. */
  public Stats snapshot() {
    return snapshot;
  }

  /** How old {@link #snapshot()} is. */
  public Duration snapshotAge() {
    return Duration.ofNanos(System.nanoTime() - snapshotNanos);
  }

  /** The refresh interval in force. */
  public Duration getRefreshInterval() {
    synchronized (lock) {
      return refreshInterval;
    }
  }

  /** Stops refreshing, releases the client's thread, and removes the meters from every registry. Idempotent. */
  @Override
  public void close() {
    List<Bound> remove;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (cancelTimer != null) {
        try {
          cancelTimer.run();
        } catch (RuntimeException gone) {
          // the Vertx is closed: no timer left to cancel
        }
      }
      remove = List.copyOf(bound);
      bound.clear();
    }
    source.close();
    for (Bound b : remove) {
      b.registry().remove(b.meter());
    }
  }

  /** Completes after the next refresh the timer runs (tests). */
  CompletionStage<Stats> nextTimedRefresh() {
    return nextTimed;
  }

  @Override
  public String toString() {
    return "BeaconMetrics{" + tags + ", refresh=" + getRefreshInterval() + ", " + snapshot + "}";
  }
}
