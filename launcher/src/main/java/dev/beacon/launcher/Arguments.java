package dev.beacon.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One command's arguments, read as vertx-launcher-application (picocli) reads them: option names
 * case-insensitive, with one or two leading dashes, a value either as the next argument or after
 * {@code =}. Unknown options, a missing value and an option given twice are {@link BadUsage}.
 *
 * @param values the value options given, by canonical name ({@code conf}, {@code cluster-host}, ...)
 * @param flags the flags given, by canonical name ({@code cluster}, {@code help})
 * @param positional the other arguments, in order
 */
record Arguments(Map<String, String> values, Set<String> flags, List<String> positional) {

  /** The options a command takes: each alias (lower case, with its dashes) to its canonical name. */
  record Spec(Map<String, String> valueOptions, Map<String, String> flagOptions) {}

  /** The {@code -conf} option, which every command takes, and help. */
  static final Map<String, String> CONF = Map.of("-conf", "conf", "--conf", "conf");

  static final Map<String, String> HELP = Map.of("-h", "help", "-help", "help", "--help", "help");

  /**
   * Reads {@code args} of {@code command} against {@code spec}.
   *
   * @throws BadUsage naming the command and the argument
   */
  static Arguments parse(String command, List<String> args, Spec spec) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> flags = new LinkedHashSet<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("-") || arg.length() == 1) {
        positional.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = (eq < 0 ? arg : arg.substring(0, eq)).toLowerCase(Locale.ROOT);
      String valueOption = spec.valueOptions().get(name);
      String flag = spec.flagOptions().get(name);
      if (valueOption != null) {
        String value;
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw BadUsage.commandLine(command + ": " + arg + " needs a value");
        }
        if (values.put(valueOption, value) != null) {
          throw BadUsage.commandLine(command + ": -" + valueOption + " is given more than once");
        }
      } else if (flag != null && eq < 0) {
        flags.add(flag);
      } else if (flag != null) {
        throw BadUsage.commandLine(command + ": " + name + " takes no value, but was given " + arg);
      } else {
        throw BadUsage.commandLine(command + ": unknown option '" + arg + "'");
      }
    }
    return new Arguments(values, flags, positional);
  }

  /** The value of {@code option}, or {@code null}. */
  String value(String option) {
    return values.get(option);
  }

  boolean has(String flag) {
    return flags.contains(flag);
  }
}
