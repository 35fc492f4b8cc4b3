package dev.beacon.vertx.impl;

import java.util.Set;

/**
 * The life of a {@link Shipper}, one state object at a time: what each state holds is in it, so no
 * flag is re-checked across concerns.
 */
sealed interface Phase {

  /** Consent said no at deploy: the shipper takes nothing and closes at once. */
  record Off() implements Phase {}

  /** On, waiting for the first event (which fetches the config). */
  record Idle() implements Phase {}

  /** The one config request is in flight; events are held. */
  record Fetching() implements Phase {}

  /** Shipping with {@code delivery}; the config's disabled events are dropped on arrival. */
  record Active(Delivery delivery, Set<String> disabledEvents) implements Phase {}

  /** Switched off at run time; {@code lingering} is the send loop whose last attempt may still answer. */
  record Disabled(Delivery lingering) implements Phase {}

  /** Closed: what arrives is dropped as {@code shutdown}. */
  record Closed() implements Phase {}
}
