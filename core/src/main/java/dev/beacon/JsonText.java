package dev.beacon;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, small JSON reader (RFC 8259) for the documents Beacon reads at start: profile
 * documents. It exists for one reason, measured: {@code TelemetryClient.start} must return within
 * milliseconds on a cold JVM, and initialising Jackson's {@code ObjectMapper} there costs 100 ms
 * or more; this class loads in well under one. Untrusted bodies (remote config, bus messages) are
 * still read with Jackson, off the caller's thread.
 *
 * <p>Values: {@link Map} (insertion order; duplicate keys refused), {@link List}, {@link String},
 * {@link Long} or {@link BigInteger} for integers, {@link BigDecimal} for other numbers, {@link
 * Boolean}, and {@code null}. Limits: nesting depth {@value #MAX_DEPTH}, text {@value #MAX_CHARS}
 * characters. Stateless; {@link #parse} throws {@link IllegalArgumentException} with the position
 * of the first error, and nothing else.
 */
final class JsonText {

  /** Deepest nesting read. */
  static final int MAX_DEPTH = 64;

  /** Longest text read, in characters (1 MiB). */
  static final int MAX_CHARS = 1 << 20;

  private final String s;
  private int i;

  private JsonText(String s) {
    this.s = s;
  }

  /**
   * Parses one JSON value that fills {@code text} (blanks around it allowed).
   *
   * @throws IllegalArgumentException naming the first error and its position
   */
  static Object parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("no JSON text");
    }
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException("JSON text longer than " + MAX_CHARS + " characters");
    }
    JsonText p = new JsonText(text);
    p.blanks();
    Object value = p.value(0);
    p.blanks();
    if (p.i != text.length()) {
      throw p.error("unexpected content after the value");
    }
    return value;
  }

  private Object value(int depth) {
    if (depth >= MAX_DEPTH && (peek() == '{' || peek() == '[')) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    if (i >= s.length()) {
      throw error("unexpected end of text");
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + printable(c) + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    i++; // {
    Map<String, Object> map = new LinkedHashMap<>();
    blanks();
    if (peek() == '}') {
      i++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      blanks();
      if (peek() != '"') {
        throw error("expected a field name");
      }
      int at = i;
      String key = string();
      blanks();
      expect(':');
      blanks();
      Object v = value(depth + 1);
      if (map.containsKey(key)) {
        i = at;
        throw error("duplicate field '" + key + "'");
      }
      map.put(key, v);
      blanks();
      char c = next();
      if (c == '}') {
        return Collections.unmodifiableMap(map);
      }
      if (c != ',') {
        i--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    i++; // [
    List<Object> list = new ArrayList<>();
    blanks();
    if (peek() == ']') {
      i++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      blanks();
      list.add(value(depth + 1));
      blanks();
      char c = next();
      if (c == ']') {
        return Collections.unmodifiableList(list);
      }
      if (c != ',') {
        i--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    i++; // "
    StringBuilder b = null;
    int start = i;
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i);
      if (c == '"') {
        String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
        i++;
        return out;
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        i++;
        continue;
      }
      if (b == null) {
        b = new StringBuilder();
      }
      b.append(s, start, i);
      i++;
      char e = next();
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '/' -> b.append('/');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> b.append(hex4());
        default -> {
          i--;
          throw error("bad escape '\\" + printable(e) + "'");
        }
      }
      start = i;
    }
  }

  private char hex4() {
    if (i + 4 > s.length()) {
      throw error("short \\u escape");
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(s.charAt(i + k), 16);
      if (d < 0) {
        throw error("bad \\u escape");
      }
      v = v * 16 + d;
    }
    i += 4;
    return (char) v;
  }

  private Object number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (peek() == '0') {
      i++;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') {
        i++;
      }
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      i++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      i++;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      digits();
    }
    String text = s.substring(start, i);
    if (text.length() > 64) {
      throw error("number longer than 64 characters");
    }
    if (integral) {
      BigInteger big = new BigInteger(text);
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    return new BigDecimal(text);
  }

  private void digits() {
    if (!(peek() >= '0' && peek() <= '9')) {
      throw error("bad number");
    }
    while (peek() >= '0' && peek() <= '9') {
      i++;
    }
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, i)) {
      throw error("unexpected character '" + printable(s.charAt(i)) + "'");
    }
    i += word.length();
    return value;
  }

  private void blanks() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private char next() {
    if (i >= s.length()) {
      throw error("unexpected end of text");
    }
    return s.charAt(i++);
  }

  private void expect(char c) {
    if (next() != c) {
      i--;
      throw error("expected '" + c + "'");
    }
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  private IllegalArgumentException error(String what) {
    int line = 1;
    int column = 1;
    for (int k = 0; k < Math.min(i, s.length()); k++) {
      if (s.charAt(k) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException(what + " at line " + line + ", column " + column);
  }

  /** Compact JSON text of a value of the kinds {@link #parse} returns (for messages and documents). */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String str) {
      quote(b, str);
    } else if (v instanceof Map<?, ?> map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof Iterable<?> items) {
      b.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, item);
      }
      b.append(']');
    } else if (v instanceof BigDecimal d) {
      b.append(d.toString());
    } else {
      b.append(v); // Boolean, Long, BigInteger, other numbers
    }
  }

  /**
   * Appends {@code str} as a JSON string: the two-character escapes where JSON has them, other
   * control characters as {@code \\u00XX} (upper-case hex, as Jackson writes them). Shared by the
   * wire encoder, whose bytes must match the JSON text written here.
   */
  static void quote(StringBuilder b, String str) {
    b.append('"');
    for (int k = 0; k < str.length(); k++) {
      char c = str.charAt(k);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static final String HEX = "0123456789ABCDEF";
}
