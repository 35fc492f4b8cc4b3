package dev.beacon;

import java.util.Map;
import java.util.function.Function;

/**
 * Where Beacon reads its switches: environment variables and system properties, as lookups, so
 * that tests hand in maps and never read or change the real ones.
 *
 * @param env looks up an environment variable
 * @param sysProps looks up a system property (read again on every event: the live switch)
 */
public record Environment(Function<String, String> env, Function<String, String> sysProps) {

  // Anonymous classes, not method references: this is read on TelemetryClient.start's thread, where
  // a cold JVM's first lambda bootstrap costs milliseconds.
  private static final Environment SYSTEM =
      new Environment(
          new Function<String, String>() {
            @Override
            public String apply(String name) {
              return System.getenv(name);
            }
          },
          new Function<String, String>() {
            @Override
            public String apply(String name) {
              return System.getProperty(name);
            }
          });

  /** The real process environment and system properties. */
  public static Environment system() {
    return SYSTEM;
  }

  /** Fixed maps; a null map is empty. The maps are read, never copied: keep them unchanged, or change them on purpose. */
  public static Environment of(Map<String, String> env, Map<String, String> sysProps) {
    return new Environment(Consent.lookup(env), Consent.lookup(sysProps));
  }

  /** Local consent for {@code profile} ({@link Consent#decide(Function, Function, Profile)}). */
  public Decision consent(Profile profile) {
    return Consent.decide(env, sysProps, profile);
  }

  /** The live opt-out re-check on the system properties ({@link Consent#live}); {@code null} when on. */
  public Decision liveOptOut(Profile profile) {
    return Consent.live(sysProps, profile);
  }

  /** Whether debug mode is switched on ({@link Consent#debug}). */
  public boolean debug(Profile profile) {
    return Consent.debug(env, sysProps, profile);
  }
}
