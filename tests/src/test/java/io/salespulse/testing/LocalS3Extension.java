package io.salespulse.testing;

import io.salespulse.common.LocalS3;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.Map;

/**
 * Starts one real S3 API server (S3Proxy, its own java process on 127.0.0.1) for the whole test
 * JVM, creates the test bucket, and points the shared SparkSession's S3A at it. The credentials
 * are random per JVM and set on the session only.
 */
public final class LocalS3Extension implements BeforeAllCallback {

    public static final String BUCKET = "salespulse-test";
    private static LocalS3 server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server();
    }

    public static synchronized LocalS3 server() {
        if (server == null) {
            Path data = SparkTestBase.workDir("s3proxy").resolve("data");
            server = LocalS3.start(LocalS3.defaultJar(), data, 0);
            server.ensureBucket(BUCKET);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            var hadoop = SparkTestBase.spark().sparkContext().hadoopConfiguration();
            for (Map.Entry<String, String> e : server.s3aSettings().entrySet()) {
                hadoop.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
            }
        }
        return server;
    }

    /** {@code s3a://salespulse-test/<prefix>-<nanos>}: a fresh location per test. */
    public static String freshUri(String prefix) {
        server();
        return "s3a://" + BUCKET + "/" + prefix + "-" + System.nanoTime();
    }
}
