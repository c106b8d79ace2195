package io.channelhub.mappings;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.mappings.json.CanonicalJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares a mapper's output with the expected JSON kept next to the inputs under src/test/resources/golden. */
final class GoldenFiles {

    static final Path ROOT = Path.of("src/test/resources/golden");

    private GoldenFiles() {
    }

    static JsonNode read(String relativePath) throws IOException {
        return CanonicalJson.parse(Files.readString(ROOT.resolve(relativePath), StandardCharsets.UTF_8));
    }

    static void assertMatches(String expectedPath, Object actual) throws IOException {
        // Through text and back, so that numbers compare as they travel (10.00 and 1E+1 are the same price).
        JsonNode actualTree = CanonicalJson.parse(CanonicalJson.write(actual));
        Path expected = ROOT.resolve(expectedPath);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(expected.getParent());
            Files.writeString(expected, CanonicalJson.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(actualTree) + "\n", StandardCharsets.UTF_8);
        }
        assertThat(expected).as("golden file %s (create it with -Dgolden.update=true)", expectedPath).exists();
        assertThat(actualTree).isEqualTo(read(expectedPath));
    }
}
