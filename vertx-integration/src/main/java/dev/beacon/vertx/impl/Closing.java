package dev.beacon.vertx.impl;

import dev.beacon.CloseReport;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The close protocol of one shipper, as an object. Close first has the handles of this Vertx hand
 * off what they hold (without waiting for their hand-off delay), then sends what is held with no
 * retries (events that arrive meanwhile join them), sends nothing while the breaker is open
 * ({@code breaker_open}) or a {@code Retry-After} pause runs, waits for a pending config answer,
 * and at the deadline cancels what is in flight ({@code shutdown}). It completes once, with a
 * {@link CloseReport}; every later call gets the same.
 *
 * <p>Runs on the shipper's event loop; {@link #step()} is called again whenever something settles.
 */
final class Closing {

  private final Shipper shipper;
  private final ShipperParts parts;
  private final long timeoutMs;
  private final Stats atStart;
  private final Promise<CloseReport> done = Promise.promise();
  private final OneShot deadline;
  private boolean collecting; // waiting for this Vertx's handles to hand off

  Closing(Shipper shipper, ShipperParts parts, long timeoutMs, Stats atStart) {
    this.shipper = shipper;
    this.parts = parts;
    this.timeoutMs = timeoutMs;
    this.atStart = atStart;
    this.deadline = new OneShot(parts.timers());
  }

  void begin() {
    Delivery delivery = shipper.delivery();
    if (delivery != null) {
      delivery.cancelWake();
    }
    if (shipper.phase() instanceof Phase.Off) {
      finish(false);
      return;
    }
    deadline.arm(timeoutMs, this::onDeadline);
    Future<Void> handedOff = parts.handOffs().get();
    if (handedOff.isComplete()) {
      step();
    } else {
      collecting = true;
      handedOff.onComplete(ar -> parts.onContext().execute(() -> {
        collecting = false;
        step();
      }));
    }
  }

  Future<CloseReport> future() {
    return done.future();
  }

  boolean done() {
    return done.future().isComplete();
  }

  /** Moves the close along. */
  void step() {
    if (done() || collecting) {
      return;
    }
    Phase phase = shipper.phase();
    if (phase instanceof Phase.Fetching) {
      return; // the config answer (or the deadline) moves us on
    }
    if (!(phase instanceof Phase.Active active)) {
      shipper.dropQueue(DropReason.DISABLED);
      finish(false);
      return;
    }
    Delivery delivery = active.delivery();
    boolean breakerOpen = delivery.breakerOpen();
    delivery.abandonRetry(breakerOpen ? DropReason.BREAKER_OPEN : DropReason.SHUTDOWN); // never retried once closing
    if (delivery.sending()) {
      return; // its answer moves us on
    }
    if (breakerOpen) {
      shipper.dropQueue(DropReason.BREAKER_OPEN);
      finish(false);
    } else if (delivery.paused()) {
      shipper.dropQueue(DropReason.SHUTDOWN); // the endpoint asked us to wait longer than we may
      finish(false);
    } else if (shipper.queueEmpty()) {
      finish(false);
    } else {
      delivery.sendNext();
      if (!delivery.sending() && shipper.queueEmpty()) {
        finish(false); // everything left was oversize
      }
    }
  }

  private void onDeadline() {
    if (!done()) {
      finish(true);
    }
  }

  private void finish(boolean deadlineReached) {
    if (done()) {
      return; // a nested step already finished (a sender that answers at once)
    }
    deadline.cancel();
    done.tryComplete(shipper.finish(deadlineReached, atStart));
  }
}
