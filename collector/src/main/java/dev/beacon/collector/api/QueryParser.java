package dev.beacon.collector.api;

import dev.beacon.ClientInfo;
import dev.beacon.EventDefinition;
import dev.beacon.ParamSpec;
import dev.beacon.Profile;
import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Query;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns the query string of one API request into a checked {@link Query}, or names the first bad
 * parameter. Unknown parameters are errors too: a typo must not silently change a chart.
 * Stateless and thread-safe; never throws anything but {@link BadParameter}.
 */
final class QueryParser {

  /** Most buckets a time series may have. */
  static final int MAX_BUCKETS = 1000;

  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  /** Most values one filter may list. */
  static final int MAX_VALUES = 50;

  /** The filterable fixed dimensions (every one of {@link Dimension#FIXED}). */
  static final List<String> FILTERS = Dimension.FIXED;

  private static final Pattern TEXT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
  private static final Pattern RUNTIME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+ -]{0,63}");
  private static final Pattern EPOCH_MS = Pattern.compile("[0-9]{1,15}");
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final Pattern COUNT = Pattern.compile("[0-9]{1,18}");
  private static final Set<String> STATUSES = Set.of("success", "failure", "unknown");
  private static final Instant MIN = Instant.EPOCH;
  private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");

  /** A parsed request. */
  record Parsed(Query query, String period, boolean compare, List<Metric> metrics) {}

  private QueryParser() {}

  /**
   * @param endpoint which endpoint is asked
   * @param profile the profile (its catalog checks events and param keys)
   * @param params the query parameters, every value of each name in order
   * @param now the current instant (the injected clock), for named periods
   */
  static Parsed parse(Endpoint endpoint, Profile profile, Map<String, List<String>> params, Instant now)
      throws BadParameter {
    Map<String, List<ParamSpec>> paramSpecs = paramSpecs(profile);
    Map<String, Set<String>> filters = new TreeMap<>();
    for (String name : new TreeSet<>(params.keySet())) {
      if (endpoint.takes(name)) {
        continue;
      }
      if (FILTERS.contains(name)) {
        filters.put(name, values(name, params.get(name), v -> checkFixed(name, v, profile)));
      } else if (Dimension.isParam(name)) {
        List<ParamSpec> specs = paramSpec(name, paramSpecs);
        filters.put(name, values(name, params.get(name), v -> checkParam(name, v, specs)));
      } else if (isAnyEndpointParameter(name)) {
        throw new BadParameter(name, name + " is not a parameter of /" + endpoint.path);
      } else {
        throw new BadParameter(name, "unknown parameter '" + clip(name) + "' (known: " + known(endpoint) + ")");
      }
    }

    String period = single(params, "period");
    String fromText = single(params, "from");
    String toText = single(params, "to");
    Instant from;
    Instant to;
    Interval defaultInterval;
    if (period == null) {
      period = fromText == null && toText == null ? Periods.DEFAULT_PERIOD : "custom";
    } else if (!Periods.NAMES.contains(period)) {
      throw new BadParameter("period", "period must be one of " + String.join(", ", Periods.NAMES) + ", but was '" + clip(period) + "'");
    }
    if (period.equals("custom")) {
      if (fromText == null) {
        throw new BadParameter("from", "a custom period needs from (and to)");
      }
      if (toText == null) {
        throw new BadParameter("to", "a custom period needs to (and from)");
      }
      from = instant("from", fromText, false);
      to = instant("to", toText, true);
      if (!to.isAfter(from)) {
        throw new BadParameter("to", "to (" + to + ") must be after from (" + from + ")");
      }
      defaultInterval = Periods.forRange(from, to);
    } else {
      if (fromText != null || toText != null) {
        String p = fromText != null ? "from" : "to";
        throw new BadParameter(p, p + " goes with period=custom (or no period), not with period=" + period);
      }
      Periods.Range r = Periods.named(period, now);
      from = r.from();
      to = r.to();
      defaultInterval = r.defaultInterval();
    }

    Interval interval = defaultInterval;
    String intervalText = single(params, "interval");
    if (intervalText != null) {
      interval = interval(intervalText);
    }
    if (endpoint == Endpoint.TIMESERIES) {
      long buckets = Periods.bucketCount(from, to, interval, MAX_BUCKETS);
      if (buckets > MAX_BUCKETS) {
        throw new BadParameter(
            "interval",
            "interval " + interval.key() + " makes more than " + MAX_BUCKETS + " buckets from " + from + " to " + to
                + "; choose a longer interval or a shorter range");
      }
    }

    List<Metric> metrics = metrics(params.get("metrics"), endpoint);
    String dimension = null;
    if (endpoint == Endpoint.TIMESERIES) {
      String g = single(params, "group_by");
      dimension = g == null ? null : dimension("group_by", g, paramSpecs);
    } else if (endpoint == Endpoint.BREAKDOWN) {
      String d = single(params, "dimension");
      if (d == null) {
        throw new BadParameter("dimension", "dimension is required: one of " + dimensions(paramSpecs));
      }
      dimension = dimension("dimension", d, paramSpecs);
    }
    int limit = DEFAULT_LIMIT;
    String limitText = endpoint.takes("limit") ? single(params, "limit") : null;
    if (limitText != null) {
      limit = COUNT.matcher(limitText).matches() && limitText.length() <= 3 ? Integer.parseInt(limitText) : -1;
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new BadParameter("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", but was '" + clip(limitText) + "'");
      }
    }
    boolean compare = false;
    String compareText = single(params, "compare");
    if (compareText != null) {
      if (!compareText.equals("previous")) {
        throw new BadParameter("compare", "compare must be 'previous', but was '" + clip(compareText) + "'");
      }
      compare = true;
    }
    Query q = new Query(profile.name(), from, to, interval, filters, dimension, EnumSet.copyOf(metrics), limit);
    return new Parsed(q, period, compare, metrics);
  }

  /** Every param key of the profile's catalog and its declarations (one key may be declared by several events). */
  static Map<String, List<ParamSpec>> paramSpecs(Profile profile) {
    Map<String, List<ParamSpec>> out = new TreeMap<>();
    for (String event : profile.catalog().eventNames()) {
      EventDefinition d = profile.catalog().definition(event);
      d.params().forEach((k, spec) -> out.computeIfAbsent(k, x -> new ArrayList<>()).add(spec));
    }
    return out;
  }

  private interface Check {
    void check(String value) throws BadParameter;
  }

  private static Set<String> values(String name, List<String> raw, Check check) throws BadParameter {
    Set<String> out = new LinkedHashSet<>();
    for (String item : raw) {
      for (String v : item.split(",", -1)) {
        if (v.isEmpty()) {
          throw new BadParameter(name, name + " has an empty value");
        }
        check.check(v);
        out.add(v);
        if (out.size() > MAX_VALUES) {
          throw new BadParameter(name, name + " lists more than " + MAX_VALUES + " values");
        }
      }
    }
    return out;
  }

  private static void checkFixed(String name, String v, Profile profile) throws BadParameter {
    boolean ok;
    String what;
    switch (name) {
      case Dimension.EVENT:
        ok = v.length() <= 64 && profile.catalog().definition(v) != null;
        what = "an event of the " + profile.name() + " catalog " + profile.catalog().eventNames();
        break;
      case Dimension.STATUS:
        ok = STATUSES.contains(v);
        what = "success, failure or unknown";
        break;
      case Dimension.SCHEME:
        ok = ClientInfo.SCHEMES.contains(v);
        what = "a scheme class " + new TreeSet<>(ClientInfo.SCHEMES);
        break;
      case Dimension.RUNTIME:
        ok = RUNTIME.matcher(v).matches();
        what = "a runtime such as 'java 17.0.15' (letters, digits, blanks, . _ + -)";
        break;
      default:
        ok = TEXT.matcher(v).matches();
        what = "1 to 64 of A-Z a-z 0-9 . _ + -";
        break;
    }
    if (!ok) {
      throw new BadParameter(name, name + " value '" + clip(v) + "' is not " + what);
    }
  }

  private static List<ParamSpec> paramSpec(String name, Map<String, List<ParamSpec>> specs) throws BadParameter {
    List<ParamSpec> list = specs.get(Dimension.paramKey(name));
    if (list == null) {
      throw new BadParameter(
          name, "'" + clip(Dimension.paramKey(name)) + "' is not a param of the profile's catalog (params: " + specs.keySet() + ")");
    }
    return list;
  }

  private static void checkParam(String name, String v, List<ParamSpec> specs) throws BadParameter {
    for (ParamSpec spec : specs) {
      if (spec instanceof ParamSpec.OneOf o && (o.values().contains(v) || v.equals(ParamSpec.OTHER))) {
        return;
      }
      if (spec instanceof ParamSpec.ListOf l && (l.values().contains(v) || v.equals(ParamSpec.OTHER))) {
        return;
      }
      if (spec instanceof ParamSpec.Count c && COUNT.matcher(v).matches() && Long.parseLong(v) <= c.max()) {
        return;
      }
      if (spec instanceof ParamSpec.Flag && (v.equals("true") || v.equals("false"))) {
        return;
      }
    }
    throw new BadParameter(name, name + " value '" + clip(v) + "' is not a value its declaration allows");
  }

  private static String dimension(String parameter, String v, Map<String, List<ParamSpec>> specs) throws BadParameter {
    if (Dimension.FIXED.contains(v)) {
      return v;
    }
    if (Dimension.isParam(v) && specs.containsKey(Dimension.paramKey(v))) {
      return v;
    }
    throw new BadParameter(parameter, parameter + " must be one of " + dimensions(specs) + ", but was '" + clip(v) + "'");
  }

  private static String dimensions(Map<String, List<ParamSpec>> specs) {
    List<String> all = new ArrayList<>(Dimension.FIXED);
    specs.keySet().forEach(k -> all.add(Dimension.PARAM_PREFIX + k));
    return String.join(", ", all);
  }

  private static Interval interval(String v) throws BadParameter {
    for (Interval i : Interval.values()) {
      if (i.key().equals(v)) {
        return i;
      }
    }
    throw new BadParameter("interval", "interval must be one of minute, hour, day, week, month, but was '" + clip(v) + "'");
  }

  private static List<Metric> metrics(List<String> raw, Endpoint endpoint) throws BadParameter {
    if (raw == null) {
      return endpoint.defaultMetrics;
    }
    Set<Metric> wanted = EnumSet.noneOf(Metric.class);
    for (String item : raw) {
      for (String v : item.split(",", -1)) {
        Metric m = null;
        for (Metric candidate : Metric.values()) {
          if (candidate.key().equals(v)) {
            m = candidate;
          }
        }
        if (m == null) {
          List<String> keys = new ArrayList<>();
          for (Metric candidate : Metric.values()) {
            keys.add(candidate.key());
          }
          throw new BadParameter("metrics", "metric '" + clip(v) + "' is not one of " + String.join(", ", keys));
        }
        wanted.add(m);
      }
    }
    return List.copyOf(wanted); // enum order
  }

  /**
   * An ISO-8601 instant ({@code 2025-01-31T10:00:00Z}, an offset, or none meaning UTC), a date
   * ({@code 2025-01-31}: its start; as {@code to}, the start of the next day, so that a date range
   * includes its last day), or epoch milliseconds.
   */
  static Instant instant(String name, String raw, boolean isTo) throws BadParameter {
    String v = raw.replace(' ', '+'); // a '+hh:mm' offset sent unencoded arrives as a blank
    Instant t;
    try {
      if (EPOCH_MS.matcher(v).matches()) {
        t = Instant.ofEpochMilli(Long.parseLong(v));
      } else if (DATE.matcher(v).matches()) {
        LocalDate d = LocalDate.parse(v);
        t = (isTo ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else if (v.length() > 40) {
        t = null;
      } else {
        t = isoDateTime(v);
      }
    } catch (DateTimeException | NumberFormatException e) {
      t = null;
    }
    if (t == null) {
      throw new BadParameter(
          name, name + " must be an ISO-8601 instant (2025-01-31T10:00:00Z), a date (2025-01-31) or epoch milliseconds, but was '" + clip(raw) + "'");
    }
    if (t.isBefore(MIN) || t.isAfter(MAX)) {
      throw new BadParameter(name, name + " must be between 1970 and 9999, but was " + t);
    }
    return t;
  }

  private static Instant isoDateTime(String v) {
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeException e) {
      return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC); // no offset: UTC, as every time here
    }
  }

  private static String single(Map<String, List<String>> params, String name) throws BadParameter {
    List<String> all = params.get(name);
    if (all == null || all.isEmpty()) {
      return null;
    }
    if (all.size() > 1) {
      throw new BadParameter(name, name + " is given more than once");
    }
    String v = all.get(0);
    if (v.isEmpty()) {
      throw new BadParameter(name, name + " is empty");
    }
    return v;
  }

  private static boolean isAnyEndpointParameter(String name) {
    for (Endpoint e : Endpoint.values()) {
      if (e.takes(name)) {
        return true;
      }
    }
    return false;
  }

  private static String known(Endpoint endpoint) {
    Set<String> names = new TreeSet<>(Endpoint.COMMON);
    names.addAll(endpoint.extra);
    names.addAll(FILTERS);
    return String.join(", ", names) + ", param.<key>";
  }

  /** A value as echoed in a message (the JSON encoder escapes it): at most 64 characters. */
  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
