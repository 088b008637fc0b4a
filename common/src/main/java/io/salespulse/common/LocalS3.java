package io.salespulse.common;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3 API server on 127.0.0.1: S3Proxy with its filesystem-nio2 backend, run as its own
 * java process (its Jetty and Jackson clash with Spark's on one classpath). Objects are plain
 * files under {@code dataDir/<bucket>/<key>}, so what the demo writes can also be read from disk.
 * Credentials are random per start and never written to configuration.
 */
public final class LocalS3 implements AutoCloseable {

    private final Process process;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Path dataDir;

    private LocalS3(Process process, int port, String accessKey, String secretKey, Path dataDir) {
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.dataDir = dataDir;
    }

    /** Where the S3Proxy jar is: {@code -Dsalespulse.s3proxy.jar}, else {@code SALESPULSE_S3PROXY_JAR}. */
    public static Path defaultJar() {
        String jar = System.getProperty("salespulse.s3proxy.jar", System.getenv("SALESPULSE_S3PROXY_JAR"));
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("S3Proxy jar not configured: set -Dsalespulse.s3proxy.jar or SALESPULSE_S3PROXY_JAR");
        }
        return Path.of(jar);
    }

    public static LocalS3 start(Path jar, Path dataDir, int port) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar + " (run: mvn -q -DskipTests package)");
        }
        try {
            Files.createDirectories(dataDir);
            int actualPort = port > 0 ? port : freePort();
            String accessKey = "local-" + randomHex(8);
            String secretKey = randomHex(20);
            Properties p = new Properties();
            p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + actualPort);
            p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            p.setProperty("s3proxy.identity", accessKey);
            p.setProperty("s3proxy.credential", secretKey);
            p.setProperty("jclouds.provider", "filesystem-nio2");
            p.setProperty("jclouds.identity", "local");
            p.setProperty("jclouds.credential", "local");
            p.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
            Path runDir = dataDir.toAbsolutePath().getParent();
            Path propsFile = runDir.resolve("s3proxy-" + actualPort + ".properties");
            try (Writer w = Files.newBufferedWriter(propsFile)) {
                p.store(w, "local S3 server; generated, do not edit");
            }
            Path log = runDir.resolve("s3proxy-" + actualPort + ".log");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(javaBin, "-Xmx512m", "-jar", jar.toAbsolutePath().toString(),
                    "--properties", propsFile.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalS3 server = new LocalS3(process, actualPort, accessKey, secretKey, dataDir.toAbsolutePath());
            server.awaitReady(Duration.ofSeconds(90), log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
    }

    private void awaitReady(Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with code " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        close();
        throw new IllegalStateException("S3Proxy did not listen on 127.0.0.1:" + port + " within " + timeout + "; see " + log);
    }

    /** Creates the bucket unless it exists (re-creating an existing bucket fails on S3Proxy). */
    public void ensureBucket(String bucket) {
        try (S3Client s3 = client()) {
            try {
                s3.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
            } catch (NoSuchBucketException missing) {
                s3.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
            }
        }
    }

    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** S3A settings (as {@code spark.hadoop.*}) that point at this server, credentials included. */
    public Map<String, String> s3aSettings() {
        Map<String, String> s = new LinkedHashMap<>(s3aEndpointSettings(endpoint()));
        s.put("spark.hadoop.fs.s3a.access.key", accessKey);
        s.put("spark.hadoop.fs.s3a.secret.key", secretKey);
        return s;
    }

    /** The endpoint part only, as conf/local.properties carries it. */
    public static Map<String, String> s3aEndpointSettings(String endpoint) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.hadoop.fs.s3a.endpoint", endpoint);
        s.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
        s.put("spark.hadoop.fs.s3a.path.style.access", "true");
        s.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
        return s;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
        }
    }
}
