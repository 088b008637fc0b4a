package io.salespulse.reliability;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Configuration, DAGs and scripts carry no credential or hashing key: those come from the environment. */
class NoSecretInRepositoryTest {

    private static final Pattern ASSIGNED_SECRET = Pattern.compile(
            "(?i)(fs\\.s3a\\.(bucket\\.[^.]+\\.)?(access|secret|session)\\.key|aws_secret_access_key|aws_access_key_id"
                    + "|aws_session_token|salespulse_hash_key|password|webhook_url)\\s*[=:]\\s*[\"']?(?![^\\s\"']*[$%])[^\\s\"']{4,}");

    @Test
    void noConfigurationFileDagOrScriptAssignsASecret() throws IOException {
        Path home = Path.of(System.getProperty("salespulse.home", "."));
        List<String> hits = new ArrayList<>();
        int scanned = 0;
        for (String dir : List.of("conf", "airflow/dags", "bin", ".ci")) {
            try (Stream<Path> files = Files.walk(home.resolve(dir))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    scanned++;
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        if (ASSIGNED_SECRET.matcher(lines.get(i)).find()) {
                            hits.add(home.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertThat(scanned).isGreaterThan(5);
        assertThat(hits).isEmpty();
        assertThat(ASSIGNED_SECRET.matcher("spark.hadoop.fs.s3a.secret.key=abcd1234").find()).as("the pattern bites").isTrue();
        // a value generated at run time (a format string or a variable) is not a secret in the file
        assertThat(ASSIGNED_SECRET.matcher("export AWS_ACCESS_KEY_ID=local-%s").find()).isFalse();
        // a chat webhook's URL is its token
        assertThat(ASSIGNED_SECRET.matcher("alerts.webhook_url=https://hooks.slack.com/services/T0/B0/xyz").find()).isTrue();
        assertThat(ASSIGNED_SECRET.matcher("export SALESPULSE_ALERTS_SMTP_PASSWORD=hunter22").find()).isTrue();
    }
}
