package dev.beacon.vertx;

import dev.beacon.ClientInfo;
import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RemoteConfig;
import dev.beacon.Retry;
import dev.beacon.Stats;
import dev.beacon.StatsCounter;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.WireEncoder;
import dev.beacon.vertx.impl.ConfigFetcher;
import dev.beacon.vertx.impl.EventBatchCodec;
import dev.beacon.vertx.impl.TelemetryEventCodec;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The shipper: consumes telemetry events from the event bus, checks them with the profile's privacy
 * guard, holds them in a bounded queue, fetches the remote config once (on the first event), and
 * ships batches to the ingestion endpoint with the web client, behind timeouts, retries with
 * jittered backoff, {@code Retry-After}, and a circuit breaker.
 *
 * <p>Deploy it with options ({@code vertx.deployVerticle(new TelemetryVerticle(options))}) or by
 * class name with the options as the deployment config. Deploying with consent off (opt-out
 * variable, {@code DO_NOT_TRACK}, CI) succeeds and does nothing: no consumer, no timer, no request.
 * A bad option fails the deployment with a message naming it.
 *
 * <p>Bus contract, on the {@code address} option ({@value TelemetryOptions#DEFAULT_ADDRESS}):
 * {@link TelemetryEvent}s (no-copy local codec, registered by the verticle) or JSON objects {@code
 * {"event_name": ..., "params": {...}, "status": ..., "duration_ms": ..., "timestamp_ns": ...}}.
 * On {@code address + ".stats"} it answers a request with its {@link Stats} as JSON plus the
 * {@code decision}.
 *
 * <p>Thread-safety: all state lives on the verticle's event loop; the public methods may be called
 * from any thread and return futures. Nothing here blocks or throws into a publisher.
 */
public final class TelemetryVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(TelemetryVerticle.class.getName());
  private static final System.Logger DEBUG_SINK = System.getLogger("dev.beacon.debug");

  private enum State {
    /** Consent was off at deploy: nothing runs. */
    OFF,
    /** On, waiting for the first event to fetch the config. */
    IDLE,
    /** The config request is in flight; events are held. */
    FETCHING,
    /** Shipping. */
    ACTIVE,
    /** Switched off at run time (config, rejection, live opt-out): events are counted and dropped. */
    DISABLED,
    /** Closed. */
    CLOSED
  }

  /** A batch taken from the queue: in flight, or waiting for its retry. */
  private static final class Batch {
    final List<TelemetryEvent> events;
    final Buffer body; // sent as is on every attempt: Vert.x writes a slice, the indices stay put
    int retries;
    boolean settled;

    Batch(WireEncoder.Payload payload) {
      this.events = payload.events();
      this.body = Buffer.buffer(payload.length()).appendBytes(payload.bytes(), 0, payload.length());
    }
  }

  /** A retryable ingestion status; fails the breaker's future so the breaker counts it. */
  private static final class RetryableStatus extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient long retryAfterMs;

    RetryableStatus(int status, long retryAfterMs) {
      super("HTTP " + status, null, false, false);
      this.retryAfterMs = retryAfterMs;
    }
  }

  private final TelemetryOptions given;
  private final Environment environment;

  private TelemetryOptions options;
  private Profile profile;
  private ClientInfo info;
  private WireEncoder encoder;
  private volatile Context context; // set in start(), read by public methods on any thread
  private boolean debug;
  private volatile Decision decision = Decision.ENABLED;
  private State state = State.OFF;

  private final ArrayDeque<TelemetryEvent> queue = new ArrayDeque<>();
  private final StatsCounter stats = new StatsCounter();
  private final List<Promise<Stats>> flushWaiters = new ArrayList<>();
  private final SplittableRandom random = new SplittableRandom();
  private Batch inflight;
  private MessageConsumer<Object> consumer;
  private MessageConsumer<Object> statsConsumer;
  private MessageConsumer<Object> controlConsumer;
  private WebClient client;
  private CircuitBreaker breaker;
  private URI ingestionUrl;
  private Set<String> disabledEvents = Set.of();
  private long intervalTimer = -1;
  private long retryTimer = -1;
  private long pausedUntilMs;
  private long droppedSinceLog;
  private Promise<CloseReport> closing;
  private long closeDeadlineTimer = -1;
  private long sentBeforeClose;
  private long droppedBeforeClose;
  private boolean collectingHandOffs; // closing: waiting for this Vertx's handles to hand off
  private boolean announcedFull; // what the handles of this Vertx were last told (signalFullness)

  /** A verticle that reads its {@link TelemetryOptions} from {@code config()} (deploy by class name, launcher). */
  public TelemetryVerticle() {
    this(null, Environment.system());
  }

  /** A verticle with these options (copied), reading the real environment. */
  public TelemetryVerticle(TelemetryOptions options) {
    this(options, Environment.system());
  }

  /**
   * A verticle with these options (copied) and this environment: tests and embedders hand in maps
   * instead of the real environment and system properties.
   */
  public TelemetryVerticle(TelemetryOptions options, Environment environment) {
    this.given = options == null ? null : new TelemetryOptions(options);
    this.environment = environment == null ? Environment.system() : environment;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<?> start() {
    options = new TelemetryOptions(given != null ? given.toJson() : config()).validate();
    profile = Profiles.named(options.getProfile(), options.getSdkVersion());
    context = vertx.getOrCreateContext();
    // Codecs first, whatever consent says: a publisher's send of a typed event must never throw
    // "no codec" into its caller. Registering a codec is not bus traffic.
    TelemetryEventCodec.register(vertx.eventBus());
    EventBatchCodec.register(vertx.eventBus());
    Decision consent = environment.consent(profile);
    decision = consent;
    if (!consent.enabled()) {
      // Off: no consumer, no timer, no client, no request. Deploying still succeeds.
      state = State.OFF;
      return Future.succeededFuture();
    }
    debug = options.isDebug() || environment.debug(profile);
    info = ClientInfo.current(profile, options.getBackendUri());
    encoder =
        new WireEncoder(
            info, options.getBatchSize(), options.getMaxRequestBytes(), options.getMaxEventBytes());
    state = State.IDLE;
    consumer = vertx.eventBus().consumer(options.getAddress(), this::onMessage);
    statsConsumer = vertx.eventBus().localConsumer(statsAddress(options.getAddress()), this::onStatsRequest);
    controlConsumer = vertx.eventBus().consumer(controlAddress(options.getAddress()), this::onControl);
    return Future.all(consumer.completion(), statsConsumer.completion(), controlConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    return close();
  }

  // ---------------------------------------------------------------- public API (any thread)

  /** The current decision (on, or off with its reason). Readable from any thread. */
  public Decision decision() {
    return decision;
  }

  /** A snapshot of the counters, taken on the verticle's event loop. */
  public Future<Stats> stats() {
    if (context == null) {
      return Future.succeededFuture(Stats.EMPTY); // not started yet: nothing counted, nothing held
    }
    return onContext(p -> p.complete(snapshot()));
  }

  /**
   * Sends everything held now, without waiting for the batch interval, and completes when nothing
   * is held or in flight, or when sending cannot progress (breaker open, {@code Retry-After} pause,
   * telemetry off). Waits for the config answer if it is pending.
   */
  public Future<Stats> flush() {
    if (context == null) {
      return Future.succeededFuture(Stats.EMPTY); // not started yet: nothing to send
    }
    return onContext(
        p -> {
          flushWaiters.add(p);
          if (state == State.ACTIVE) {
            sendNext();
          }
          completeFlushWaitersIfSettled();
        });
  }

  /**
   * Sends what is held within {@code closeTimeoutMs} (nothing when the breaker is open; no
   * retries), cancels what is still in flight at the deadline, and reports. Events that arrive
   * while the close is still sending (a hand-off that was on its way) join what is sent; once the
   * close completes, the bus consumers are gone. Idempotent: later calls return the same result.
   */
  public Future<CloseReport> close() {
    if (context == null) {
      return Future.succeededFuture(new CloseReport(0, 0, false, Stats.EMPTY));
    }
    return onContext(p -> beginClose().onComplete(p));
  }

  private <T> Future<T> onContext(io.vertx.core.Handler<Promise<T>> action) {
    Promise<T> promise = Promise.promise();
    if (Context.isOnEventLoopThread() && vertx.getOrCreateContext() == context) {
      action.handle(promise);
    } else {
      context.runOnContext(v -> action.handle(promise));
    }
    return promise.future();
  }

  // ---------------------------------------------------------------- intake

  private void onMessage(Message<Object> message) {
    // The live opt-out (system properties) is read once per message: a hand-off's events were
    // recorded together, and a handle re-read it for each of them already.
    checkLiveOptOut();
    Object body = message.body();
    if (body instanceof TelemetryEvent[] events) {
      for (TelemetryEvent event : events) {
        intakeOne(event);
      }
    } else if (body instanceof JsonArray array) {
      // a batch from another node (EventBatchCodec on the wire): each element is a bus message
      for (Object item : array) {
        intakeOne(item);
      }
    } else {
      intakeOne(body);
    }
    signalFullness();
  }

  /**
   * Tells the handles of this Vertx when the queue fills up and when it has room again (a local
   * publish on {@link #fullnessAddress}, only when that changes). While it is full, an event handed
   * off would be dropped here as {@code queue_full} anyway; a handle drops it at the caller's side
   * instead, counted the same, without a hand-off, a bus message or a wake-up of this verticle.
   * When the endpoint is down for a while, that makes recording as cheap as it gets.
   */
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private void signalFullness() {
    boolean full = state != State.CLOSED && held() >= options.getCapacity();
    if (full != announcedFull) {
      announcedFull = full;
      try {
        vertx.eventBus().publish(
            fullnessAddress(options.getAddress()), new JsonObject().put("full", full), LOCAL_ONLY);
      } catch (RuntimeException closed) {
        // The Vertx is closing: its handles are done too.
      }
    }
  }

  /** One event of any shape: counted exactly once, whatever happens. */
  private void intakeOne(Object item) {
    long before = stats.recordedCount();
    try {
      if (item instanceof TelemetryEvent event) {
        intake(event.name(), event.params(), event.status(), validTimestamp(event.timestampNs()),
            validDuration(event.durationMs()));
      } else if (item instanceof JsonObject json) {
        intakeJson(json);
      } else {
        stats.recorded();
        drop(DropReason.INVALID, 1);
      }
    } catch (RuntimeException e) {
      // Defence in depth: a bug here must neither reach the publisher, stop the consumer, nor lose a count.
      if (stats.recordedCount() == before) {
        stats.recorded();
        drop(DropReason.INVALID, 1);
      }
      LOG.log(System.Logger.Level.DEBUG, "telemetry intake failed", e);
    }
  }

  /** A negative or missing duration becomes null, as for JSON messages. */
  private static Long validDuration(Long durationMs) {
    return durationMs != null && durationMs >= 0 ? durationMs : null;
  }

  /** A non-positive timestamp is stamped on receipt, as for JSON messages. */
  private static long validTimestamp(long timestampNs) {
    return timestampNs > 0 ? timestampNs : TelemetryEvent.nowEpochNanos();
  }

  private void intakeJson(JsonObject json) {
    Object params = json.getValue("params");
    if (params instanceof JsonObject p) {
      Map<String, Object> plain = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : p.getMap().entrySet()) {
        Object v = e.getValue();
        plain.put(e.getKey(), v instanceof JsonArray a ? a.getList() : v);
      }
      params = plain;
    }
    Object duration = json.getValue("duration_ms");
    Long durationMs =
        duration instanceof Integer || duration instanceof Long ? validDuration(((Number) duration).longValue()) : null;
    Object ts = json.getValue("timestamp_ns");
    long timestampNs =
        validTimestamp(ts instanceof Integer || ts instanceof Long ? ((Number) ts).longValue() : 0);
    intake(json.getValue("event_name"), params, Status.fromWire(json.getValue("status")), timestampNs, durationMs);
  }

  private void intake(Object name, Object params, Status status, long timestampNs, Long durationMs) {
    stats.recorded();
    if (state == State.CLOSED || (closing != null && closing.future().isComplete())) {
      drop(DropReason.SHUTDOWN, 1);
      return;
    }
    if (state == State.DISABLED) {
      drop(DropReason.DISABLED, 1);
      return;
    }
    if (held() >= options.getCapacity()) {
      // Full (endpoint down, breaker open): drop before the privacy guard's work, which would be
      // thrown away. An invalid event arriving now counts as queue_full, not invalid.
      drop(DropReason.QUEUE_FULL, 1);
      return;
    }
    Validation v = profile.catalog().validate(name, params);
    if (!v.accepted()) {
      drop(DropReason.INVALID, 1);
      return;
    }
    stats.guarded(v.stripped(), v.coerced());
    if (disabledEvents.contains(v.eventName())) {
      drop(DropReason.DISABLED, 1);
      return;
    }
    queue.add(new TelemetryEvent(v.eventName(), status, timestampNs, durationMs, v.params()));
    if (closing != null) {
      // A hand-off that was on its way when close began: sent with the rest within the deadline.
      closeStep();
      return;
    }
    switch (state) {
      case IDLE -> fetchConfig();
      case ACTIVE -> {
        if (queue.size() >= options.getBatchSize()) {
          sendNext();
        } else {
          armInterval();
        }
      }
      default -> {
        // FETCHING: held until the config answers
      }
    }
  }

  private void checkLiveOptOut() {
    if (state != State.DISABLED && state != State.OFF && state != State.CLOSED && closing == null) {
      Decision live = environment.liveOptOut(profile);
      if (live != null) {
        disable(live);
      }
    }
  }

  private int held() {
    return queue.size() + (inflight == null ? 0 : inflight.events.size());
  }

  private void drop(DropReason reason, long n) {
    if (n > 0) {
      stats.dropped(reason, n);
      droppedSinceLog += n;
    }
  }

  private void dropQueue(DropReason reason) {
    drop(reason, queue.size());
    queue.clear();
    signalFullness();
  }

  private void settle(Batch batch, DropReason reasonOrNullIfSent) {
    if (batch.settled) {
      return;
    }
    batch.settled = true;
    if (reasonOrNullIfSent == null) {
      stats.sent(batch.events.size());
    } else {
      drop(reasonOrNullIfSent, batch.events.size());
    }
    if (inflight == batch) {
      inflight = null;
    }
    signalFullness();
  }

  private Stats snapshot() {
    return stats.snapshot(held());
  }

  private void onStatsRequest(Message<Object> request) {
    JsonObject reply = new JsonObject(new LinkedHashMap<>(snapshot().toMap()));
    reply.put("decision", decision.describe());
    reply.put("decision_cause", decision.cause().name());
    reply.put("decision_detail", decision.detail());
    request.reply(reply);
  }

  /** {@code {"disable": "<why>"}} from {@code Telemetry.disable()}: the host opted out at run time. */
  private void onControl(Message<Object> message) {
    if (message.body() instanceof JsonObject json && json.getValue("disable") instanceof String why) {
      disable(Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, why));
    }
  }

  /** The address on which a verticle answers stats requests. */
  static String statsAddress(String address) {
    return address + ".stats";
  }

  /** The address on which a verticle tells the handles of its Vertx that its queue is full or has room. */
  static String fullnessAddress(String address) {
    return address + ".fullness";
  }

  /** The address on which a verticle takes control messages and announces that it switched off. */
  static String controlAddress(String address) {
    return address + ".control";
  }

  // ---------------------------------------------------------------- remote config

  private void fetchConfig() {
    state = State.FETCHING;
    if (debug) {
      activate(null, Set.of());
      return;
    }
    if (options.getIngestionUrl() != null) {
      activate(URI.create(options.getIngestionUrl().trim()), Set.of());
      return;
    }
    ConfigFetcher.fetch(
            vertx,
            http(),
            profile.configUrl(options.getConfigUrl()),
            options.getConfigTimeoutMs(),
            options.getConnectTimeoutMs(),
            profile,
            info.platform(),
            options.isAllowInsecureLoopback(),
            random.nextDouble() * 100)
        .onSuccess(this::onConfig);
  }

  private void onConfig(RemoteConfig.Verdict verdict) {
    if (state != State.FETCHING) {
      return;
    }
    if (!verdict.enabled()) {
      disable(verdict.decision());
      return;
    }
    activate(verdict.ingestionUrl(), verdict.disabledEvents());
  }

  private void activate(URI url, Set<String> eventsOff) {
    ingestionUrl = url;
    disabledEvents = eventsOff;
    state = State.ACTIVE;
    if (!eventsOff.isEmpty()) {
      int before = queue.size();
      queue.removeIf(e -> eventsOff.contains(e.name()));
      drop(DropReason.DISABLED, before - queue.size());
    }
    if (closing != null) {
      closeStep();
    } else if (queue.size() >= options.getBatchSize() || !flushWaiters.isEmpty()) {
      sendNext();
    } else {
      armInterval();
    }
    completeFlushWaitersIfSettled();
  }

  /** Switches off for the rest of this deployment; what is held is dropped as {@code disabled}. */
  private void disable(Decision why) {
    if (state == State.DISABLED || state == State.CLOSED) {
      return;
    }
    decision = why;
    state = State.DISABLED;
    // Tell the publishers, so that their record() goes back to a volatile read and nothing more.
    vertx.eventBus().publish(
        controlAddress(options.getAddress()),
        new JsonObject().put("disabled", why.cause().name()).put("detail", why.detail()));
    dropQueue(DropReason.DISABLED);
    cancelTimers();
    // An attempt still on the wire settles when it answers (as disabled, see onAttempt).
    if (closing != null) {
      closeStep();
    }
    completeFlushWaitersIfSettled();
  }

  // ---------------------------------------------------------------- shipping

  private void armInterval() {
    if (intervalTimer == -1 && !queue.isEmpty() && state == State.ACTIVE) {
      intervalTimer =
          vertx.setTimer(
              options.getBatchIntervalMs(),
              id -> {
                intervalTimer = -1;
                sendNext();
              });
    }
  }

  /** Takes the next batch and sends it, when nothing else is in flight and sending is allowed. */
  private void sendNext() {
    if (state != State.ACTIVE || inflight != null || queue.isEmpty()) {
      return;
    }
    if (System.currentTimeMillis() < pausedUntilMs) {
      armResume();
      return;
    }
    if (breaker().state() == CircuitBreakerState.OPEN) {
      return; // the half-open handler resumes
    }
    if (intervalTimer != -1) {
      vertx.cancelTimer(intervalTimer);
      intervalTimer = -1;
    }
    logDrops();
    List<TelemetryEvent> take = new ArrayList<>(Math.min(queue.size(), options.getBatchSize()));
    while (take.size() < options.getBatchSize() && !queue.isEmpty()) {
      take.add(queue.poll());
    }
    WireEncoder.Encoded encoded = encoder.encode(take, random);
    drop(DropReason.OVERSIZE, encoded.oversize().size());
    if (encoded.payloads().isEmpty()) {
      sendNext();
      return;
    }
    // One request at a time. Should the byte cap have split the batch, the rest goes back first in line.
    List<WireEncoder.Payload> payloads = encoded.payloads();
    for (int i = payloads.size() - 1; i >= 1; i--) {
      List<TelemetryEvent> back = payloads.get(i).events();
      for (int j = back.size() - 1; j >= 0; j--) {
        queue.addFirst(back.get(j));
      }
    }
    inflight = new Batch(payloads.get(0));
    attempt(inflight);
  }

  private void armResume() {
    if (retryTimer == -1 && intervalTimer == -1) {
      long wait = Math.max(1, pausedUntilMs - System.currentTimeMillis());
      intervalTimer =
          vertx.setTimer(
              wait,
              id -> {
                intervalTimer = -1;
                sendNext();
              });
    }
  }

  private void attempt(Batch batch) {
    breaker().<Integer>execute(() -> post(batch)).onComplete(ar -> onAttempt(batch, ar.succeeded() ? ar.result() : null, ar.cause()));
  }

  /** One POST with a hard deadline; fails (for the breaker) on network errors and retryable statuses. */
  private Future<Integer> post(Batch batch) {
    stats.request(); // only attempts the breaker let through
    if (debug) {
      DEBUG_SINK.log(
          System.Logger.Level.INFO,
          () -> "beacon debug: would send " + batch.body.toString(StandardCharsets.UTF_8));
      return Future.succeededFuture(200);
    }
    Promise<Integer> result = Promise.promise();
    long deadline =
        vertx.setTimer(
            options.getRequestTimeoutMs(),
            id -> result.tryFail(new java.util.concurrent.TimeoutException("no answer within " + options.getRequestTimeoutMs() + " ms")));
    http()
        .postAbs(ingestionUrl.toString())
        .putHeader("Content-Type", "application/json")
        .followRedirects(false)
        .connectTimeout(options.getConnectTimeoutMs())
        .timeout(options.getRequestTimeoutMs())
        .as(BodyCodec.none())
        .sendBuffer(batch.body)
        .onComplete(
            ar -> {
              vertx.cancelTimer(deadline);
              if (ar.failed()) {
                result.tryFail(ar.cause());
                return;
              }
              int status = ar.result().statusCode();
              if (Retry.classify(status) == Retry.Verdict.RETRY) {
                long retryAfter =
                    status == 429 || status == 503
                        ? Retry.retryAfterMs(ar.result().getHeader("Retry-After"), Instant.now(), options.getRetryAfterCapMs())
                        : -1;
                result.tryFail(new RetryableStatus(status, retryAfter));
              } else {
                result.tryComplete(status);
              }
            });
    return result.future();
  }

  private void onAttempt(Batch batch, Integer status, Throwable failure) {
    if (batch.settled) {
      return; // the close deadline already accounted for it
    }
    if (status != null) {
      switch (Retry.classify(status)) {
        case SENT -> settle(batch, null);
        case TERMINAL -> {
          settle(batch, DropReason.REJECTED);
          disable(Decision.disabled(
              Decision.Cause.INGESTION_REJECTED, "ingestion rejected a batch (HTTP " + status + ")"));
        }
        default -> settle(batch, DropReason.REJECTED);
      }
      afterSettle();
      return;
    }
    if (failure instanceof OpenCircuitException) {
      // The breaker opened: the batch goes back first in line and waits for the half-open probe.
      batch.settled = true;
      inflight = null;
      for (int i = batch.events.size() - 1; i >= 0; i--) {
        queue.addFirst(batch.events.get(i));
      }
      afterSettle();
      return;
    }
    if (closing != null || state != State.ACTIVE) {
      settle(batch, closing != null ? DropReason.SHUTDOWN : DropReason.DISABLED);
      afterSettle();
      return;
    }
    if (batch.retries >= options.getMaxRetries()) {
      settle(batch, DropReason.RETRIES_EXHAUSTED);
      afterSettle();
      return;
    }
    long delay =
        Retry.backoffMs(batch.retries, options.getRetryBaseDelayMs(), options.getRetryMaxDelayMs(), random::nextLong);
    if (failure instanceof RetryableStatus rs && rs.retryAfterMs >= 0) {
      delay = Math.max(delay, rs.retryAfterMs);
      pausedUntilMs = System.currentTimeMillis() + rs.retryAfterMs;
    }
    boolean responseLost = !(failure instanceof RetryableStatus) && !(failure instanceof ConnectException);
    batch.retries++;
    stats.retry();
    if (responseLost) {
      stats.resent(batch.events.size()); // the server may have taken the first copy
    }
    retryTimer =
        vertx.setTimer(
            Math.max(1, delay),
            id -> {
              retryTimer = -1;
              if (!batch.settled) {
                attempt(batch);
              }
            });
    completeFlushWaitersIfSettled();
  }

  private void afterSettle() {
    if (closing != null) {
      closeStep();
    } else if (state == State.ACTIVE) {
      if (queue.size() >= options.getBatchSize() || !flushWaiters.isEmpty()) {
        sendNext();
      } else {
        armInterval();
      }
    }
    completeFlushWaitersIfSettled();
  }

  private void completeFlushWaitersIfSettled() {
    if (flushWaiters.isEmpty()) {
      return;
    }
    boolean settled =
        switch (state) {
          case IDLE, OFF, DISABLED, CLOSED -> true;
          case FETCHING -> false;
          case ACTIVE -> (queue.isEmpty() && inflight == null)
              || (inflight == null && breaker != null && breaker.state() == CircuitBreakerState.OPEN)
              || (inflight == null && System.currentTimeMillis() < pausedUntilMs)
              || (retryTimer != -1 && breaker != null && breaker.state() == CircuitBreakerState.OPEN);
        };
    if (settled) {
      Stats s = snapshot();
      List<Promise<Stats>> waiters = new ArrayList<>(flushWaiters);
      flushWaiters.clear();
      waiters.forEach(p -> p.tryComplete(s));
    }
  }

  private void logDrops() {
    if (droppedSinceLog > 0 && LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, "telemetry dropped {0} events since the last batch; {1}", droppedSinceLog, snapshot());
    }
    droppedSinceLog = 0;
  }

  // ---------------------------------------------------------------- close

  private Future<CloseReport> beginClose() {
    if (closing != null) {
      return closing.future();
    }
    closing = Promise.promise();
    Stats atStart = stats.snapshot(0);
    sentBeforeClose = atStart.sent();
    droppedBeforeClose = atStart.droppedTotal();
    // The consumers stay until the close completes: a hand-off already on its way (a handle's
    // bus message sent just before close) is taken and sent with the rest, not discarded unseen.
    if (intervalTimer != -1) {
      vertx.cancelTimer(intervalTimer);
      intervalTimer = -1;
    }
    if (state == State.OFF) {
      finishClose(false);
      return closing.future();
    }
    closeDeadlineTimer = vertx.setTimer(Math.max(1, options.getCloseTimeoutMs()), id -> onCloseDeadline());
    // The handles of this Vertx may hold events for up to their hand-off delay: they hand off now,
    // and the close moves on once their bus messages are in (or at the deadline).
    Future<Void> handedOff = Telemetry.handOffAll(vertx, options.getAddress());
    if (handedOff.isComplete()) {
      closeStep();
    } else {
      collectingHandOffs = true;
      handedOff.onComplete(ar -> context.runOnContext(v -> {
        collectingHandOffs = false;
        closeStep();
      }));
    }
    return closing.future();
  }

  /** Moves the close along; called again whenever something settles. */
  private void closeStep() {
    if (closing == null || closing.future().isComplete() || collectingHandOffs) {
      return;
    }
    switch (state) {
      case FETCHING:
        return; // the config answer (or the deadline) moves us on
      case ACTIVE:
        break;
      default:
        dropQueue(DropReason.DISABLED);
        finishClose(false);
        return;
    }
    boolean breakerOpen = breaker != null && breaker.state() == CircuitBreakerState.OPEN;
    if (retryTimer != -1) {
      // Never retried once closing.
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
      if (inflight != null) {
        settle(inflight, breakerOpen ? DropReason.BREAKER_OPEN : DropReason.SHUTDOWN);
      }
    }
    if (inflight != null) {
      return; // its answer moves us on
    }
    if (breakerOpen) {
      dropQueue(DropReason.BREAKER_OPEN);
      finishClose(false);
      return;
    }
    if (System.currentTimeMillis() < pausedUntilMs) {
      dropQueue(DropReason.SHUTDOWN); // the endpoint asked us to wait longer than we may
      finishClose(false);
      return;
    }
    if (queue.isEmpty()) {
      finishClose(false);
      return;
    }
    sendNext();
  }

  private void onCloseDeadline() {
    closeDeadlineTimer = -1;
    if (closing == null || closing.future().isComplete()) {
      return;
    }
    if (inflight != null) {
      settle(inflight, DropReason.SHUTDOWN);
    }
    dropQueue(DropReason.SHUTDOWN);
    finishClose(true);
  }

  private void finishClose(boolean deadlineReached) {
    if (consumer != null) {
      consumer.unregister();
      statsConsumer.unregister();
      controlConsumer.unregister();
    }
    cancelTimers();
    if (closeDeadlineTimer != -1) {
      vertx.cancelTimer(closeDeadlineTimer);
      closeDeadlineTimer = -1;
    }
    if (client != null) {
      client.close(); // cancels whatever is still on the wire
      client = null;
    }
    if (breaker != null) {
      breaker.close();
    }
    state = State.CLOSED;
    signalFullness(); // a shipper that closed full must not leave the handles dropping
    Stats finalStats = snapshot();
    completeFlushWaitersIfSettled();
    closing.tryComplete(
        new CloseReport(
            finalStats.sent() - sentBeforeClose,
            finalStats.droppedTotal() - droppedBeforeClose,
            deadlineReached,
            finalStats));
  }

  private void cancelTimers() {
    if (intervalTimer != -1) {
      vertx.cancelTimer(intervalTimer);
      intervalTimer = -1;
    }
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
      if (inflight != null) {
        settle(inflight, closing != null ? DropReason.SHUTDOWN : DropReason.DISABLED);
      }
    }
  }

  // ---------------------------------------------------------------- resources (created lazily)

  private WebClient http() {
    if (client == null) {
      WebClientOptions webOptions =
          new WebClientOptions()
              .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeoutMs()))
              .setFollowRedirects(false)
              .setUserAgentEnabled(false)
              .setKeepAlive(true)
              .setVerifyHost(true);
      if (options.getTrustStorePath() != null) {
        webOptions.setTrustOptions(trustOptions(options.getTrustStorePath(), options.getTrustStorePassword()));
      }
      // Every connection gets an exception handler, so that resets and refusals log nothing.
      client =
          WebClient.wrap(
              vertx.httpClientBuilder()
                  .with(webOptions)
                  .withConnectHandler(conn -> conn.exceptionHandler(t -> { }))
                  .build(),
              webOptions);
    }
    return client;
  }

  /** Trust anchors from a PEM, PKCS#12 or JKS file, chosen by its extension (checked at deploy). */
  static io.vertx.core.net.TrustOptions trustOptions(String path, String password) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".p12") || lower.endsWith(".pfx")) {
      return new io.vertx.core.net.PfxOptions().setPath(path).setPassword(password);
    }
    if (lower.endsWith(".jks")) {
      return new io.vertx.core.net.JksOptions().setPath(path).setPassword(password);
    }
    return new io.vertx.core.net.PemTrustOptions().addCertPath(path);
  }

  private CircuitBreaker breaker() {
    if (breaker == null) {
      breaker =
          CircuitBreaker.create(
                  "beacon-telemetry",
                  vertx,
                  new CircuitBreakerOptions()
                      .setMaxFailures(options.getBreakerMaxFailures())
                      .setFailuresRollingWindow(options.getBreakerWindowMs())
                      .setResetTimeout(options.getBreakerResetMs())
                      .setTimeout(-1) // each request has its own hard deadline
                      .setMaxRetries(0) // retries are ours: backoff, Retry-After, never while closing
                      .setFallbackOnFailure(false)
                      .setNotificationAddress(null)) // no bus traffic, no periodic timer
              .halfOpenHandler(v -> context.runOnContext(x -> {
                if (closing == null) {
                  sendNext();
                }
              }));
    }
    return breaker;
  }

  @Override
  public String toString() {
    return "TelemetryVerticle{" + decision.describe() + ", options=" + options + "}";
  }

}
