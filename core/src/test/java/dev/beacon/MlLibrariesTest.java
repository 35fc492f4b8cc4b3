package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MlLibrariesTest {

  /** A loader with no parent but the bootstrap loader: it sees none of the ML libraries. */
  private static final class EmptyLoader extends ClassLoader {
    EmptyLoader() {
      super("empty", null);
    }
  }

  /** A loader that defines an empty class for each of {@code names}, and nothing else. */
  private static final class FakeLibrariesLoader extends ClassLoader {
    private final Set<String> names;
    final List<String> asked = new ArrayList<>();

    FakeLibrariesLoader(Set<String> names) {
      super("fake-libraries", null);
      this.names = names;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      asked.add(name);
      if (!names.contains(name)) {
        throw new ClassNotFoundException(name);
      }
      byte[] bytes = emptyClass(name);
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  /** The bytes of {@code public class <name> extends Object {}} without members (Java 8 format). */
  static byte[] emptyClass(String binaryName) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(0xCAFEBABE);
      out.writeShort(0); // minor
      out.writeShort(52); // major: Java 8
      out.writeShort(5); // constant pool count (entries 1..4)
      out.writeByte(7); // #1 Class -> #2
      out.writeShort(2);
      out.writeByte(1); // #2 Utf8 this class
      out.writeUTF(binaryName.replace('.', '/'));
      out.writeByte(7); // #3 Class -> #4
      out.writeShort(4);
      out.writeByte(1); // #4 Utf8 super class
      out.writeUTF("java/lang/Object");
      out.writeShort(0x0021); // ACC_PUBLIC | ACC_SUPER
      out.writeShort(1); // this
      out.writeShort(3); // super
      out.writeShort(0); // interfaces
      out.writeShort(0); // fields
      out.writeShort(0); // methods
      out.writeShort(0); // attributes
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void detectWithALoaderThatFindsNoneIsEmpty() {
    assertThat(MlLibraries.detect(new EmptyLoader())).isEmpty();
  }

  @Test
  void detectFindsALibraryByItsMarkerClass() {
    FakeLibrariesLoader loader = new FakeLibrariesLoader(Set.of("smile.data.DataFrame"));
    assertThat(MlLibraries.detect(loader)).containsExactly("smile");
    assertThat(loader.asked).containsAll(MlLibraries.MARKERS.values());
  }

  @Test
  void detectReportsSeveralInAllowListOrder() {
    FakeLibrariesLoader loader =
        new FakeLibrariesLoader(Set.of("weka.core.Instances", "ai.djl.Model", "smile.data.DataFrame"));
    assertThat(MlLibraries.detect(loader)).containsExactly("smile", "djl", "weka");
  }

  @Test
  void detectReportsEveryAllowListedLibrary() {
    FakeLibrariesLoader loader = new FakeLibrariesLoader(Set.copyOf(MlLibraries.MARKERS.values()));
    assertThat(MlLibraries.detect(loader)).containsExactlyElementsOf(MlLibraries.MARKERS.keySet());
  }

  @Test
  void detectIgnoresClassesOutsideTheAllowList() {
    FakeLibrariesLoader loader = new FakeLibrariesLoader(Set.of("com.acme.secret.Model", "smile.Other"));
    assertThat(MlLibraries.detect(loader)).isEmpty();
  }

  @Test
  void detectLooksClassesUpInTheGivenLoader() throws Exception {
    FakeLibrariesLoader loader = new FakeLibrariesLoader(Set.of("smile.data.DataFrame"));
    assertThat(MlLibraries.detect(loader)).containsExactly("smile");
    Class<?> c = Class.forName("smile.data.DataFrame", false, loader);
    assertThat(c.getClassLoader()).isSameAs(loader);
    assertThat(MlLibraries.detect(new EmptyLoader())).isEmpty();
  }

  @Test
  void detectSkipsAMarkerThatFailsToLink() {
    ClassLoader broken =
        new ClassLoader("broken", null) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.equals("ai.djl.Model")) {
              throw new NoClassDefFoundError("ai/djl/Model: broken dependency");
            }
            if (name.equals("weka.core.Instances")) {
              throw new SecurityException("not allowed");
            }
            throw new ClassNotFoundException(name);
          }
        };
    assertThat(MlLibraries.detect(broken)).isEmpty();
  }

  @Test
  void detectNeverThrowsEvenWhenTheLoaderThrows() {
    ClassLoader hostile =
        new ClassLoader("hostile", null) {
          @Override
          protected Class<?> findClass(String name) {
            throw new IllegalStateException("loader closed");
          }
        };
    assertThat(MlLibraries.detect(hostile)).isEmpty();
  }

  @Test
  void detectWithTheBootstrapLoaderIsEmpty() {
    assertThat(MlLibraries.detect(null)).isEmpty();
  }

  @Test
  void detectedIsCached() {
    assertThat(MlLibraries.detected()).isSameAs(MlLibraries.detected());
  }

  @Test
  void detectedMatchesThisClasspath() {
    // The test classpath carries none of the libraries.
    assertThat(MlLibraries.detected()).isEqualTo(MlLibraries.detect(MlLibraries.class.getClassLoader()));
    assertThat(MlLibraries.detected()).isSubsetOf(MlLibraries.MARKERS.keySet());
  }

  @Test
  void resultsAreUnmodifiable() {
    List<String> found = MlLibraries.detect(new FakeLibrariesLoader(Set.of("smile.data.DataFrame")));
    assertThatThrownBy(() -> found.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> MlLibraries.MARKERS.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void allowListNamesAreValidEnumValues() {
    assertThat(MlLibraries.MARKERS).hasSize(10).containsEntry("smile", "smile.data.DataFrame");
    assertThat(MlLibraries.MARKERS.keySet()).allMatch(n -> n.matches("[a-z0-9-]+") && n.length() <= 64);
  }
}
