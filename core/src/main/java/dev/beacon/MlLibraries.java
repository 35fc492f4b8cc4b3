package dev.beacon;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The allow-list of JVM machine-learning libraries that the MLflow profile reports in the
 * {@code imports} param of {@code create_run}, detected by the presence of one well-known class.
 * Only the library's allow-listed name is ever sent; detection loads no class (it only looks it
 * up without initialising it).
 *
 * <p>Thread-safe. {@link #detected()} runs once per JVM and is cached.
 */
public final class MlLibraries {

  /** Library name (as sent) to the class whose presence reveals it. */
  public static final Map<String, String> MARKERS;

  static {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("smile", "smile.data.DataFrame");
    m.put("djl", "ai.djl.Model");
    m.put("tribuo", "org.tribuo.Model");
    m.put("xgboost4j", "ml.dmlc.xgboost4j.java.XGBoost");
    m.put("onnxruntime", "ai.onnxruntime.OrtEnvironment");
    m.put("deeplearning4j", "org.deeplearning4j.nn.multilayer.MultiLayerNetwork");
    m.put("spark-mllib", "org.apache.spark.ml.Pipeline");
    m.put("weka", "weka.core.Instances");
    m.put("tensorflow-java", "org.tensorflow.Tensor");
    m.put("h2o-genmodel", "hex.genmodel.MojoModel");
    MARKERS = Collections.unmodifiableMap(m);
  }

  private MlLibraries() {}

  /** The allow-listed library names found on this JVM's classpath; computed once. */
  public static List<String> detected() {
    return Holder.DETECTED;
  }

  /** The allow-listed library names visible from {@code loader}; not cached. Never throws. */
  public static List<String> detect(ClassLoader loader) {
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> e : MARKERS.entrySet()) {
      try {
        Class.forName(e.getValue(), false, loader);
        found.add(e.getKey());
      } catch (ClassNotFoundException | LinkageError | RuntimeException ignored) {
        // not present, or not loadable: not reported
      }
    }
    return List.copyOf(found);
  }

  private static final class Holder {
    static final List<String> DETECTED = detect(MlLibraries.class.getClassLoader());
  }
}
