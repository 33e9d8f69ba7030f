package org.flinox.job.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.flinox.spec.ModuleType;
import org.flinox.spec.ModuleTypes;

/**
 * The jars of a user's own module types, {@code --module-jar JAR} (repeatable), checked before
 * anything runs. The jar itself is put on the class path by the launcher (stand-alone: the
 * child JVM's class path, which Flink's local executor loads user classes through) or by
 * Flink ({@code flink run -C file:///.../JAR}); this checks that each jar is there, readable,
 * registers at least one {@link ModuleType} in {@value #SERVICES}, and that its types are the
 * ones the run will use: on the class path, and no type name registered twice.
 */
public final class ModuleJars {

    /** Where a jar lists its module types, one class name a line. */
    public static final String SERVICES = "META-INF/services/org.flinox.spec.ModuleType";

    private ModuleJars() {}

    /**
     * Refuses a missing or unreadable jar, one that registers no module type, one given twice,
     * one whose types are not on this JVM's class path or come from another jar, and two
     * types of one name.
     */
    public static void check(List<Path> jars) {
        if (jars == null || jars.isEmpty()) {
            return;
        }
        Map<Path, Path> seen = new HashMap<>();
        Map<Path, List<String>> registered = new java.util.LinkedHashMap<>();
        for (Path jar : jars) {
            Path real = readable(jar);
            Path before = seen.putIfAbsent(real, jar);
            if (before != null) {
                throw new IllegalArgumentException("--module-jar " + jar + " is given twice"
                        + (before.equals(jar) ? "" : " (also as " + before + ")"));
            }
            registered.put(jar, typeClasses(jar));
        }
        ModuleTypes types = ModuleTypes.load(); // refuses two types of one name, naming both jars
        Map<String, ModuleType> byClass = new HashMap<>();
        for (String name : types.names()) {
            byClass.put(types.get(name).getClass().getName(), types.get(name));
        }
        for (Map.Entry<Path, List<String>> e : registered.entrySet()) {
            Path jar = e.getKey();
            for (String className : e.getValue()) {
                ModuleType type = byClass.get(className);
                if (type == null) {
                    throw new IllegalArgumentException("--module-jar " + jar + " is not on the class path of this run ("
                            + className + " is not found): under flink run, give it as -C file://"
                            + jar.toAbsolutePath() + " as well (java -jar puts --module-jar jars on the class path "
                            + "itself)");
                }
                Path from = location(type);
                if (from != null && !from.equals(realPath(jar))) {
                    throw new IllegalArgumentException("--module-jar " + jar + " registers " + className
                            + ", but that class is taken from " + from + ": two jars hold the same module type;"
                            + " give only one of them");
                }
            }
        }
    }

    /** The jar's real path, or the reason it cannot be used. */
    private static Path readable(Path jar) {
        if (!Files.exists(jar)) {
            throw new IllegalArgumentException("--module-jar " + jar + " does not exist");
        }
        if (Files.isDirectory(jar)) {
            throw new IllegalArgumentException("--module-jar " + jar + " is a directory; give the jar of your module"
                    + " types (mvn package builds it into target/)");
        }
        if (!Files.isReadable(jar)) {
            throw new IllegalArgumentException("--module-jar " + jar + " cannot be read (check its permissions)");
        }
        return realPath(jar);
    }

    /** The class names a jar lists in {@value #SERVICES}; at least one. */
    private static List<String> typeClasses(Path jar) {
        List<String> classes = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry services = file.getEntry(SERVICES);
            if (services != null) {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(file.getInputStream(services), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        int comment = line.indexOf('#');
                        String name = (comment < 0 ? line : line.substring(0, comment)).strip();
                        if (!name.isEmpty()) {
                            classes.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--module-jar " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("--module-jar " + jar + " registers no module type: list your "
                    + ModuleType.class.getName() + " classes, one a line, in its " + SERVICES
                    + " (deploy/examples/custom-module shows how)");
        }
        return classes;
    }

    /** The jar or directory a type's class was loaded from, or null when unknown. */
    private static Path location(ModuleType type) {
        CodeSource source = type.getClass().getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null) {
            return null;
        }
        try {
            return realPath(Path.of(url.toURI()));
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
