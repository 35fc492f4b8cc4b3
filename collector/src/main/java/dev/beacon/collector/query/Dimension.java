package dev.beacon.collector.query;

import java.util.List;

/**
 * The dimensions an event can be filtered, grouped and broken down by. Keys on the wire: {@code
 * event}, {@code sdk}, {@code version}, {@code os}, {@code runtime}, {@code scheme}, {@code
 * status}, and {@code param.<key>} for any param of the profile's catalog.
 */
public final class Dimension {

  /** The event name. */
  public static final String EVENT = "event";
  /** {@code source_sdk}. */
  public static final String SDK = "sdk";
  /** The SDK version (the profile's version key). */
  public static final String VERSION = "version";
  /** The OS family ({@code linux}, {@code darwin}, {@code win32}). */
  public static final String OS = "os";
  /** The runtime and its version ({@code java 17.0.15}, {@code python 3.11.7}). */
  public static final String RUNTIME = "runtime";
  /** The backend scheme class ({@code tracking_uri_scheme}). */
  public static final String SCHEME = "scheme";
  /** {@code success}, {@code failure}, {@code unknown}. */
  public static final String STATUS = "status";
  /** The prefix of a param dimension: {@code param.flavor}. */
  public static final String PARAM_PREFIX = "param.";

  /** The fixed dimensions, as the rollups hold them. */
  public static final List<String> FIXED = List.of(EVENT, SDK, VERSION, OS, RUNTIME, SCHEME, STATUS);

  private Dimension() {}

  /** Whether {@code key} names a param ({@code param.<key>}). */
  public static boolean isParam(String key) {
    return key != null && key.startsWith(PARAM_PREFIX) && key.length() > PARAM_PREFIX.length();
  }

  /** The param key of a param dimension ({@code flavor} for {@code param.flavor}). */
  public static String paramKey(String key) {
    return key.substring(PARAM_PREFIX.length());
  }
}
