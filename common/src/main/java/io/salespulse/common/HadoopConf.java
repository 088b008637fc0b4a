package io.salespulse.common;

import org.apache.hadoop.conf.Configuration;

import java.util.Map;

/** A Hadoop configuration for code that touches storage without Spark (datagen, local tools). */
public final class HadoopConf {

    private HadoopConf() {
    }

    /** Takes every {@code spark.hadoop.*} value of the configuration, as a SparkSession would. */
    public static Configuration from(SalespulseConfig config, Map<String, String> extra) {
        Configuration conf = new Configuration();
        config.sparkSettings().forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                conf.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        extra.forEach((k, v) -> conf.set(k.startsWith("spark.hadoop.") ? k.substring("spark.hadoop.".length()) : k, v));
        return conf;
    }
}
