package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The handles of each Vertx, per address, kept in the Vertx's local shared data (never in statics:
 * a new Vertx starts afresh): the one shared handle {@code Telemetry.of(vertx)} returns, and every
 * live handle, weakly held (a handle has no close of its own), so that a shipper that closes can
 * have them hand off what they hold first. Neither face knows the other through it: a shipper sees
 * only {@link HandOffSource}s.
 *
 * <p>Thread-safe.
 */
public final class HandleRegistry {

  private static final String SHARED = "dev.beacon.telemetry.handles";
  private static final String LIVE = "dev.beacon.telemetry.live";

  /** A handle that may hold events not yet on the bus. */
  public interface HandOffSource {
    /** Whether it may still send. */
    boolean enabled();

    /** Has everything it holds go on the bus now; completes once it has (or had nothing). */
    Future<Void> handOffNow();
  }

  private record Holder(Object value) implements Shareable {}

  private record Live(List<WeakReference<HandOffSource>> sources) implements Shareable {}

  private HandleRegistry() {}

  /** The shared value of {@code vertx} and {@code address}, made by {@code create} the first time. */
  public static <T> T shared(Vertx vertx, String address, Supplier<T> create) {
    LocalMap<String, Holder> map = vertx.sharedData().getLocalMap(SHARED);
    Holder holder = map.get(address);
    if (holder == null) {
      Holder fresh = new Holder(create.get());
      holder = map.putIfAbsent(address, fresh);
      if (holder == null) {
        holder = fresh;
      }
    }
    @SuppressWarnings("unchecked")
    T value = (T) holder.value();
    return value;
  }

  /** Adds a live handle of {@code vertx} that publishes on {@code address}. */
  public static void register(Vertx vertx, String address, HandOffSource source) {
    LocalMap<String, Live> live = vertx.sharedData().getLocalMap(LIVE);
    Live fresh = new Live(new CopyOnWriteArrayList<>());
    Live existing = live.putIfAbsent(address, fresh);
    Live entry = existing != null ? existing : fresh;
    entry.sources().removeIf(r -> r.get() == null);
    entry.sources().add(new WeakReference<>(source));
  }

  /**
   * Asks every live handle of {@code vertx} on {@code address} to hand off what it holds now,
   * without waiting for its hand-off delay. Completes once each has sent its bus messages.
   */
  public static Future<Void> handOffAll(Vertx vertx, String address) {
    LocalMap<String, Live> live = vertx.sharedData().getLocalMap(LIVE);
    Live entry = live.get(address);
    if (entry == null) {
      return Future.succeededFuture();
    }
    List<Future<Void>> all = new ArrayList<>();
    for (WeakReference<HandOffSource> ref : entry.sources()) {
      HandOffSource source = ref.get();
      if (source != null && source.enabled()) {
        all.add(source.handOffNow());
      }
    }
    return all.isEmpty() ? Future.succeededFuture() : Future.join(all).mapEmpty();
  }
}
