package dev.beacon.collector.server;

import dev.beacon.collector.ingest.Rejection;
import dev.beacon.collector.ingest.WriteBuffer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The collector's own meters, in a Micrometer {@link PrometheusMeterRegistry} that {@code GET
 * /metrics} renders as Prometheus text. Every name starts with {@code beacon_collector_}; the
 * tags have small fixed sets of values (reasons, causes, status codes, profile names), never
 * anything a client chose. Counters with a known tag set are registered at start, so they read 0
 * before the first event.
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><td>{@code beacon_collector_records_accepted_total{profile}}</td><td>records stored</td></tr>
 *   <tr><td>{@code beacon_collector_records_duplicate_total{profile}}</td><td>records already stored (same partition key)</td></tr>
 *   <tr><td>{@code beacon_collector_records_rejected_total{reason}}</td><td>records not stored, by {@link Rejection}</td></tr>
 *   <tr><td>{@code beacon_collector_params_stripped_total}</td><td>params removed by the privacy guard</td></tr>
 *   <tr><td>{@code beacon_collector_params_coerced_total}</td><td>param values replaced ({@code "other"}, clamped)</td></tr>
 *   <tr><td>{@code beacon_collector_fields_stripped_total}</td><td>optional fields with a bad value, stored as null</td></tr>
 *   <tr><td>{@code beacon_collector_fields_dropped_total}</td><td>unknown fields, never stored</td></tr>
 *   <tr><td>{@code beacon_collector_requests_total{status}}</td><td>ingestion answers by HTTP status</td></tr>
 *   <tr><td>{@code beacon_collector_throttled_total{cause}}</td><td>429s: {@code rate}, {@code buffer_full}</td></tr>
 *   <tr><td>{@code beacon_collector_too_large_total{cause}}</td><td>413s: {@code content_length}, {@code streamed}, {@code decompressed}</td></tr>
 *   <tr><td>{@code beacon_collector_bad_requests_total{reason}}</td><td>400s: {@code not_json}, {@code not_envelope}, {@code json_limit}, {@code bad_gzip}</td></tr>
 *   <tr><td>{@code beacon_collector_timeouts_total{cause}}</td><td>connections closed: {@code body} (request body too slow), {@code idle}</td></tr>
 *   <tr><td>{@code beacon_collector_ingest_seconds}</td><td>time from request to answer (histogram)</td></tr>
 *   <tr><td>{@code beacon_collector_commit_seconds}</td><td>time of one group commit (histogram)</td></tr>
 *   <tr><td>{@code beacon_collector_commit_records}</td><td>records per commit</td></tr>
 *   <tr><td>{@code beacon_collector_commit_requests}</td><td>requests per commit</td></tr>
 *   <tr><td>{@code beacon_collector_commit_failures_total}</td><td>commits that failed</td></tr>
 *   <tr><td>{@code beacon_collector_write_buffer_records}</td><td>records handed in, not yet committed</td></tr>
 *   <tr><td>{@code beacon_collector_write_buffer_capacity_records}</td><td>the buffer's capacity</td></tr>
 *   <tr><td>{@code beacon_collector_config_answers_total{answer}}</td><td>config and admin answers and rejections ({@code config_served}, {@code config_bad_version}, ...)</td></tr>
 *   <tr><td>{@code beacon_collector_query_answers_total{answer}}</td><td>query API answers and rejections ({@code ok}, {@code not_found}, {@code bad_<parameter>}, {@code failed})</td></tr>
 * </table>
 *
 * <p>Thread-safe.
 */
public final class CollectorMetrics implements WriteBuffer.Listener {

  /** The text {@code GET /metrics} serves: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
  private final Map<String, Counter> duplicates = new ConcurrentHashMap<>();
  private final EnumMap<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
  private final Map<String, Counter> byTag = new ConcurrentHashMap<>();
  private final Counter paramsStripped;
  private final Counter paramsCoerced;
  private final Counter fieldsStripped;
  private final Counter fieldsDropped;
  private final Counter commitFailures;
  private final Timer ingest;
  private final Timer commit;
  private final DistributionSummary commitRecords;
  private final DistributionSummary commitRequests;
  private final List<RouteMount.Counted> published = new CopyOnWriteArrayList<>();

  /** Meters for these profiles, in a new registry. */
  public CollectorMetrics(Collection<String> profiles) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (String p : profiles) {
      accepted.put(p, Counter.builder("beacon.collector.records.accepted").tag("profile", p)
          .description("records stored").register(registry));
      duplicates.put(p, Counter.builder("beacon.collector.records.duplicate").tag("profile", p)
          .description("records already stored (same partition key), not stored again").register(registry));
    }
    for (Rejection r : Rejection.values()) {
      rejected.put(r, Counter.builder("beacon.collector.records.rejected").tag("reason", r.key())
          .description("records not stored, by reason").register(registry));
    }
    paramsStripped = Counter.builder("beacon.collector.params.stripped")
        .description("params removed by the privacy guard (unknown key, wrong type)").register(registry);
    paramsCoerced = Counter.builder("beacon.collector.params.coerced")
        .description("param values replaced by a safe one (other, clamped)").register(registry);
    fieldsStripped = Counter.builder("beacon.collector.fields.stripped")
        .description("optional fields with a bad value, stored as null").register(registry);
    fieldsDropped = Counter.builder("beacon.collector.fields.dropped")
        .description("fields the collector does not read, never stored").register(registry);
    commitFailures = Counter.builder("beacon.collector.commit.failures")
        .description("group commits that failed (their requests were answered 500)").register(registry);
    for (String cause : new String[] {"rate", "buffer_full"}) {
      counter("beacon.collector.throttled", "cause", cause, "429 answers by cause");
    }
    for (String cause : new String[] {"content_length", "streamed", "decompressed"}) {
      counter("beacon.collector.too.large", "cause", cause, "413 answers by cause");
    }
    for (String reason : new String[] {"not_json", "not_envelope", "json_limit", "bad_gzip"}) {
      counter("beacon.collector.bad.requests", "reason", reason, "400 answers by reason");
    }
    for (String cause : new String[] {"body", "idle"}) {
      counter("beacon.collector.timeouts", "cause", cause, "connections closed for slowness");
    }
    ingest = Timer.builder("beacon.collector.ingest")
        .description("time from an ingestion request to its answer")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    commit = Timer.builder("beacon.collector.commit")
        .description("time of one group commit")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    commitRecords = DistributionSummary.builder("beacon.collector.commit.records")
        .description("records per group commit").register(registry);
    commitRequests = DistributionSummary.builder("beacon.collector.commit.requests")
        .description("requests per group commit").register(registry);
  }

  /** The registry (for other routes' meters, and tests). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text of every meter. */
  public String scrape() {
    for (RouteMount.Counted c : published) {
      for (String answer : c.counts().get().keySet()) {
        // registering is idempotent: a name and tag seen before returns the meter it made
        FunctionCounter.builder(c.name(), c.counts(), m -> m.get().getOrDefault(answer, 0L))
            .tag("answer", answer).description(c.description()).register(registry);
      }
    }
    return registry.scrape();
  }

  /**
   * Publishes a mount's counts: one counter per answer it has counted, tagged {@code answer}
   * (each appears once counted, and reads from the routes' own counts at every scrape).
   */
  public void publish(RouteMount.Counted counted) {
    if (counted.name() != null) {
      published.add(counted);
    }
  }

  /** Publishes the write buffer's depth and capacity. */
  public void watch(WriteBuffer buffer) {
    Gauge.builder("beacon.collector.write.buffer", buffer, WriteBuffer::depth)
        .baseUnit("records")
        .description("records handed in and not yet committed")
        .register(registry);
    Gauge.builder("beacon.collector.write.buffer.capacity", buffer, b -> b.capacity())
        .baseUnit("records")
        .description("the write buffer's capacity")
        .register(registry);
  }

  /** Publishes a gauge read from {@code value}. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void accepted(String profile, int n) {
    if (n > 0) {
      Counter c = accepted.get(profile);
      if (c != null) {
        c.increment(n);
      }
    }
  }

  public void duplicates(String profile, int n) {
    if (n > 0) {
      Counter c = duplicates.get(profile);
      if (c != null) {
        c.increment(n);
      }
    }
  }

  public void rejected(Rejection reason, int n) {
    if (n > 0) {
      rejected.get(reason).increment(n);
    }
  }

  public void paramsStripped(int n) {
    if (n > 0) {
      paramsStripped.increment(n);
    }
  }

  public void paramsCoerced(int n) {
    if (n > 0) {
      paramsCoerced.increment(n);
    }
  }

  public void fieldsStripped(int n) {
    if (n > 0) {
      fieldsStripped.increment(n);
    }
  }

  public void fieldsDropped(int n) {
    if (n > 0) {
      fieldsDropped.increment(n);
    }
  }

  /** One 429, by cause ({@code rate}, {@code buffer_full}). */
  public void throttled(String cause) {
    counter("beacon.collector.throttled", "cause", cause, "429 answers by cause").increment();
  }

  /** One 413, by cause ({@code content_length}, {@code streamed}, {@code decompressed}). */
  public void tooLarge(String cause) {
    counter("beacon.collector.too.large", "cause", cause, "413 answers by cause").increment();
  }

  /** One 400, by reason. */
  public void badRequest(String reason) {
    counter("beacon.collector.bad.requests", "reason", reason, "400 answers by reason").increment();
  }

  /** One connection closed for slowness ({@code body}, {@code idle}). */
  public void timeout(String cause) {
    counter("beacon.collector.timeouts", "cause", cause, "connections closed for slowness").increment();
  }

  /** One ingestion answer with {@code status}, {@code nanos} after the request came. */
  public void answered(int status, long nanos) {
    counter("beacon.collector.requests", "status", Integer.toString(status), "ingestion answers by HTTP status")
        .increment();
    ingest.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void committed(int records, int requests, long nanos, Throwable failure) {
    commit.record(nanos, TimeUnit.NANOSECONDS);
    commitRecords.record(records);
    commitRequests.record(requests);
    if (failure != null) {
      commitFailures.increment();
    }
  }

  private Counter counter(String name, String tag, String value, String description) {
    return byTag.computeIfAbsent(name + '\0' + value,
        k -> Counter.builder(name).tag(tag, value).description(description).register(registry));
  }
}
