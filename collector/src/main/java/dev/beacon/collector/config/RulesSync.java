package dev.beacon.collector.config;

import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.SavedRules;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps this instance's live rules up with the store, where other instances may save newer ones:
 * read at start ({@link #load}); read again for a profile when the store says another instance saved
 * it ({@link EventStore#watchConfigRules}, PostgreSQL's NOTIFY); and for every profile whose stored
 * version is newer than the live one when asked ({@link #check}: the server's periodic check, a
 * notification with no profile after the store listened again, a stale {@code If-Match}).
 *
 * <p>Only a newer version replaces the live rules ({@link ProfileConfig#offer}). A stored document
 * that does not read stops the start ({@link #load}); found later, it is skipped, counted ({@code
 * config_reload_failed}) and logged once per version, and the live rules stay: a bad edit made in
 * the database must not take the kill switch away.
 *
 * <p>Thread-safe: every step is a store read and a compare-and-set.
 */
final class RulesSync {

  private static final System.Logger LOG = System.getLogger(RulesSync.class.getName());

  private final EventStore store;
  private final Map<String, ProfileConfig> profiles;
  private final Map<String, LongAdder> counters;
  /** The last unreadable version logged, by profile. */
  private final Map<String, Long> unreadable = new ConcurrentHashMap<>();

  RulesSync(EventStore store, Map<String, ProfileConfig> profiles, Map<String, LongAdder> counters) {
    this.store = store;
    this.profiles = profiles;
    this.counters = counters;
  }

  /**
   * Restores every profile's saved rules, then listens for changes made by other instances. Fails,
   * naming the profile and the bad key, when a saved document does not read; a store that cannot
   * listen is logged, and the periodic check stands in.
   */
  Future<Void> load() {
    List<Future<Void>> all = new ArrayList<>();
    for (ProfileConfig pc : profiles.values()) {
      String name = pc.profile.name();
      all.add(store.loadConfigRules(name).compose(saved -> {
        if (saved.isEmpty()) {
          return Future.succeededFuture();
        }
        try {
          pc.offer(ConfigRules.parse(saved.get().rules(), null), saved.get().version());
          return Future.succeededFuture();
        } catch (RulesException e) {
          return Future.failedFuture(new IllegalStateException(
              "the saved config rules of profile " + name + " do not read: " + e.getMessage() + " (at " + e.key() + ")"));
        }
      }));
    }
    return Future.all(all).compose(v -> store.watchConfigRules(this::changed).recover(e -> {
      LOG.log(Level.WARNING, "cannot listen for config rules saved by other instances (retrying; until then they are "
          + "picked up by the periodic check): " + e.getMessage());
      return Future.succeededFuture();
    }));
  }

  /** A notification: {@code profile} was saved elsewhere, or anything may have been ({@code null}). */
  void changed(String profile) {
    Future<?> f;
    if (profile == null) {
      f = check();
    } else {
      ProfileConfig pc = profiles.get(profile);
      if (pc == null) {
        return; // a profile this instance does not serve
      }
      f = reload(pc);
    }
    f.onFailure(e -> {
      count("config_reload_failed");
      LOG.log(Level.DEBUG, "reading config rules after a notification failed", e);
    });
  }

  /** Reads the stored versions, and the rules of every profile whose stored version is newer than the live one. */
  Future<Void> check() {
    return store.configRulesVersions().compose(versions -> {
      List<Future<Boolean>> all = new ArrayList<>();
      for (Map.Entry<String, Long> e : versions.entrySet()) {
        ProfileConfig pc = profiles.get(e.getKey());
        if (pc != null && e.getValue() > pc.state().version()) {
          all.add(reload(pc));
        }
      }
      return Future.all(all).mapEmpty();
    });
  }

  /** Reads {@code pc}'s stored rules and serves them if they are newer; completes with whether it did. */
  Future<Boolean> reload(ProfileConfig pc) {
    return store.loadConfigRules(pc.profile.name()).map(saved -> offer(pc, saved));
  }

  /** Serves {@code saved} if it reads and is newer than the live rules; says whether it did. */
  boolean offer(ProfileConfig pc, Optional<SavedRules> saved) {
    if (saved.isEmpty() || saved.get().version() <= pc.state().version()) {
      return false;
    }
    SavedRules s = saved.get();
    ConfigRules rules;
    try {
      rules = ConfigRules.parse(s.rules(), null);
    } catch (RulesException e) {
      count("config_reload_failed");
      String name = pc.profile.name();
      Long logged = unreadable.put(name, s.version());
      if (logged == null || logged != s.version()) {
        LOG.log(Level.WARNING, "the stored config rules of profile " + name + " (version " + s.version()
            + ") do not read: " + e.getMessage() + " (at " + e.key() + "); still serving version " + pc.state().version());
      }
      return false;
    }
    boolean served = pc.offer(rules, s.version());
    if (served) {
      count("config_reloaded");
    }
    return served;
  }

  private void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }
}
