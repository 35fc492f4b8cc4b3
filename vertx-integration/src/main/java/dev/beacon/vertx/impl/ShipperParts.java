package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.RemoteConfig;
import io.vertx.core.Future;
import java.net.URI;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything a {@link Shipper} touches outside itself, injected: production wires Vert.x, the bus
 * and HTTP ({@link ShipperWiring}); unit tests pass fakes and a manual clock.
 *
 * @param timers timers and the monotonic clock
 * @param onContext runs a task on the shipper's event loop (for completions from other threads)
 * @param signals what the shipper tells the handles
 * @param config the one config decision, asked for on the first event (never fails)
 * @param senders the sender for an ingestion URL ({@code null} in debug mode)
 * @param breakers the circuit breaker, given what to run when it half-opens
 * @param handOffs has the handles of this Vertx hand off what they hold (at close)
 * @param liveOptOut the live opt-out re-check ({@code null} when on)
 * @param random jitter, rollout draws and partition keys
 * @param release frees what the shipper holds outside itself (bus consumers, the HTTP client) at close
 */
public record ShipperParts(
    Timers timers,
    Executor onContext,
    Signals signals,
    Supplier<Future<RemoteConfig.Verdict>> config,
    Function<URI, Sender> senders,
    Function<Runnable, Breaker> breakers,
    Supplier<Future<Void>> handOffs,
    Supplier<Decision> liveOptOut,
    RandomGenerator random,
    Runnable release) {}
