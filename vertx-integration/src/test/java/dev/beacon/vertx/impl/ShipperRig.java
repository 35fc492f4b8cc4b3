package dev.beacon.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RemoteConfig;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.WireEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One {@link Shipper} on fakes: a manual clock, a sender and a breaker the test drives, signals
 * recorded, the config answer and the close's hand-offs as promises the test completes, the live
 * opt-out from a field, a seeded random. Everything runs on the test thread ({@code onContext} is
 * {@code Runnable::run}). Every step through the rig checks {@code recorded = sent + pending +
 * dropped}.
 */
final class ShipperRig {

  static final Profile PROFILE = Profiles.mlflow("3.7.0");
  static final String SESSION = "0123456789abcdef0123456789abcdef";
  static final ClientInfo INFO = ClientInfo.of(SESSION, PROFILE, "17.0.15", "Linux", "6.1.0", "amd64", "sqlite:///m.db");
  static final URI INGEST = URI.create("https://ingest.example/log");
  static final long TS = 1_753_760_188_623_715_000L;

  /** The shipper's numbers; small defaults so that tests read at a glance. */
  static final class Knobs {
    int capacity = 100;
    long closeTimeoutMs = 1_000;
    int batchSize = 3;
    long batchIntervalMs = 10_000;
    int maxRetries = 3;
    long retryBaseDelayMs = 1_000;
    long retryMaxDelayMs = 30_000;
    long seed = 42;
    WireEncoder encoder = new WireEncoder(INFO);
    /** The breaker to use instead of the fake (given the shipper's half-open action), or null. */
    Function<Runnable, Breaker> breakers;

    Shipper.Limits limits() {
      return Shipper.Limits.of(capacity, closeTimeoutMs, batchSize, batchIntervalMs, maxRetries, retryBaseDelayMs, retryMaxDelayMs);
    }
  }

  final Knobs knobs = new Knobs();
  final ManualTimers timers = new ManualTimers();
  final FakeSignals signals = new FakeSignals();
  final FakeSender sender = new FakeSender();
  final FakeBreaker breaker = new FakeBreaker();
  final List<Promise<RemoteConfig.Verdict>> configRequests = new ArrayList<>();
  final List<URI> senderUrls = new ArrayList<>();
  final List<Promise<Void>> handOffRequests = new ArrayList<>();
  /** When true, the close's hand-offs wait for the test to complete them. */
  boolean handOffsPending;
  /** What the live opt-out re-check answers ({@code null}: on). */
  Decision liveOptOut;
  int liveOptOutReads;
  int releases;
  Sender senderToUse = sender;
  final Shipper shipper;

  ShipperRig() {
    this(k -> {});
  }

  ShipperRig(Consumer<Knobs> tweak) {
    tweak.accept(knobs);
    shipper = Shipper.on(knobs.limits(), PROFILE.catalog(), knobs.encoder, parts());
  }

  /** A rig around a shipper that consent switched off. */
  static ShipperRig off(Decision consent) {
    return new ShipperRig(consent);
  }

  private ShipperRig(Decision consent) {
    shipper = Shipper.off(consent, parts());
  }

  private ShipperParts parts() {
    return new ShipperParts(
        timers,
        Runnable::run,
        signals,
        () -> {
          Promise<RemoteConfig.Verdict> p = Promise.promise();
          configRequests.add(p);
          return p.future();
        },
        url -> {
          senderUrls.add(url);
          return senderToUse;
        },
        onHalfOpen -> {
          if (knobs.breakers != null) {
            return knobs.breakers.apply(onHalfOpen);
          }
          breaker.onHalfOpen = onHalfOpen;
          return breaker;
        },
        () -> {
          if (!handOffsPending) {
            handOffRequests.add(null);
            return Future.succeededFuture();
          }
          Promise<Void> p = Promise.promise();
          handOffRequests.add(p);
          return p.future();
        },
        () -> {
          liveOptOutReads++;
          return liveOptOut;
        },
        new SplittableRandom(knobs.seed),
        () -> releases++);
  }

  // ---------------------------------------------------------------- events

  /** Event number {@code n} (carried as its duration, to check order on the wire). */
  static TelemetryEvent ev(long n) {
    return new TelemetryEvent("start_trace", Status.SUCCESS, TS + n, n, null);
  }

  static TelemetryEvent ev(String name, long n) {
    return new TelemetryEvent(name, Status.SUCCESS, TS + n, n, null);
  }

  static TelemetryEvent[] evs(int from, int toExclusive) {
    TelemetryEvent[] out = new TelemetryEvent[toExclusive - from];
    for (int i = from; i < toExclusive; i++) {
      out[i - from] = ev(i);
    }
    return out;
  }

  // ---------------------------------------------------------------- steps (each checks the balance)

  ShipperRig send(Object body) {
    shipper.onMessage(body);
    stats();
    return this;
  }

  /** Events numbered {@code from} to {@code toExclusive - 1}, one bus message each. */
  ShipperRig sendEach(int from, int toExclusive) {
    for (int i = from; i < toExclusive; i++) {
      send(ev(i));
    }
    return this;
  }

  /** Answers the pending config request: on, ingestion at {@link #INGEST}, no event off. */
  ShipperRig configOn() {
    return config(new RemoteConfig.Verdict(Decision.ENABLED, INGEST, Set.of()));
  }

  ShipperRig config(RemoteConfig.Verdict verdict) {
    assertThat(configRequests).as("config requests").hasSize(1);
    configRequests.get(0).complete(verdict);
    stats();
    return this;
  }

  /** A shipper that is active: the first event fetched the config, which said on. */
  ShipperRig activeWith(int events) {
    sendEach(0, events);
    return configOn();
  }

  ShipperRig advance(long ms) {
    timers.advance(ms);
    stats();
    return this;
  }

  ShipperRig answer(Sender.Outcome outcome) {
    sender.answer(outcome);
    stats();
    return this;
  }

  /** The counters now; fails unless they balance. */
  Stats stats() {
    Stats s = shipper.snapshot();
    assertThat(s.balanced()).as("recorded = sent + pending + dropped: %s", s).isTrue();
    return s;
  }

  /** The numbers of every event sent, over every attempt, in order. */
  List<Long> numbersOnTheWire() {
    List<Long> out = new ArrayList<>();
    sender.attempts.forEach(a -> out.addAll(a.numbers()));
    return out;
  }
}
