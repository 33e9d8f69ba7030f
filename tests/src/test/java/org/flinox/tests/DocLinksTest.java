package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the repository's Markdown files leads somewhere: the file exists, and
 * a {@code #fragment} names a heading of that file as GitHub spells its anchor (lower case,
 * punctuation dropped, spaces as hyphens). Links to the web are not followed.
 */
class DocLinksTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : markdownFiles()) {
            for (String target : links(doc)) {
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:, file: — not a path of this repository
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = ROOT.relativize(doc) + ": (" + target + ")";
                if (!Files.exists(resolved)) {
                    broken.add(where + " — no such file");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(where + " — no heading with that anchor in " + ROOT.relativize(resolved));
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void anAnchorIsSpelledAsGitHubSpellsIt() {
        assertThat(anchor("An existing Flink 2.3 cluster")).isEqualTo("an-existing-flink-23-cluster");
        assertThat(anchor("The state API (`org.flinox.nn`)")).isEqualTo("the-state-api-orgflinoxnn");
        assertThat(anchor("B8 `--final-savepoint`: a savepoint")).isEqualTo("b8---final-savepoint-a-savepoint");
    }

    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !ROOT.relativize(p).toString().matches("(^|.*/)(target|node_modules|\\.git)/.*"))
                    .sorted()
                    .toList();
        }
    }

    /** The link targets outside fenced code blocks. */
    private static List<String> links(Path doc) throws IOException {
        List<String> targets = new ArrayList<>();
        boolean inCode = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.stripLeading().startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode) {
                Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
                while (m.find()) {
                    targets.add(m.group(1));
                }
            }
        }
        return targets;
    }

    private static List<String> anchors(Path doc) throws IOException {
        List<String> anchors = new ArrayList<>();
        boolean inCode = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.stripLeading().startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode && line.matches("^#{1,6} .*")) {
                anchors.add(anchor(line.replaceFirst("^#{1,6} ", "")));
            }
        }
        return anchors;
    }

    /** GitHub's anchor of a heading: lower case, everything but letters, digits, spaces, hyphens and underscores dropped, spaces as hyphens. */
    private static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
