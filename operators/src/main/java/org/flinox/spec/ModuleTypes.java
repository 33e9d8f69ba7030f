package org.flinox.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The module types of a model spec, by their {@code type} name: every {@link ModuleType}
 * registered through {@link ServiceLoader}, Flinox's own ({@link BuiltInTypes}) and those of
 * the jars a user adds (a jar on the class path, {@code --module-jar}, {@code flink run -C},
 * SQL's {@code ADD JAR}). What the parser dispatches on and what every "expected one of" and
 * "did you mean" goes by.
 *
 * <p>Types are looked up through the thread's context class loader, which is where Flink puts
 * a job's user code (its user-code class loader on a TaskManager, the jars of {@code -C} and
 * {@code ADD JAR}), and through this class's own loader, so the built-in types are always
 * there. Two types of one name are refused, naming both classes and their jars.
 */
public final class ModuleTypes {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private final Map<String, ModuleType> byName;

    private ModuleTypes(Map<String, ModuleType> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** The types the current thread's context class loader (and Flinox's own) can see. */
    public static ModuleTypes load() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return load(context != null ? context : ModuleTypes.class.getClassLoader());
    }

    /**
     * The types {@code loader} (and Flinox's own class loader) can see.
     *
     * @throws IllegalArgumentException for two types of one name, a type whose name is not
     *     lower case, or a registered class that cannot be loaded
     */
    public static ModuleTypes load(ClassLoader loader) {
        Map<Class<?>, ModuleType> found = new IdentityHashMap<>();
        List<ModuleType> types = new ArrayList<>();
        for (ClassLoader l : List.of(loader, ModuleTypes.class.getClassLoader())) {
            Iterator<ModuleType> it = ServiceLoader.load(ModuleType.class, l).iterator();
            while (true) {
                ModuleType type;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    type = it.next();
                } catch (ServiceConfigurationError e) {
                    throw new IllegalArgumentException("a module type registered in META-INF/services/"
                            + ModuleType.class.getName() + " cannot be loaded: " + e.getMessage(), e);
                }
                if (found.putIfAbsent(type.getClass(), type) == null) {
                    types.add(type);
                }
            }
        }
        Map<String, ModuleType> byName = new TreeMap<>();
        for (ModuleType type : types) {
            String name = type.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("module type " + type.getClass().getName() + where(type)
                        + " is named " + (name == null ? "null" : "'" + name + "'")
                        + ": a type name is lower case, letters, digits, '-' and '_'");
            }
            ModuleType other = byName.putIfAbsent(name, type);
            if (other != null) {
                throw new IllegalArgumentException("module type '" + name + "' is registered twice: by "
                        + other.getClass().getName() + where(other) + " and by " + type.getClass().getName()
                        + where(type) + "; remove one of them, or rename one type");
            }
        }
        return new ModuleTypes(byName);
    }

    /** Every type name, sorted. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** The type of this name, or null. */
    public ModuleType get(String name) {
        return byName.get(name);
    }

    /** Reads the module node at {@code path} ({@code module}, {@code module.layers[1]}, ...) by its type. */
    ModuleSpec read(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new ModelSpecException(path, "expected a module object {\"type\": ...}, got " + SpecNode.describe(node));
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null) {
            throw new ModelSpecException(path + ".type", "missing; expected one of " + String.join(", ", names()));
        }
        if (!typeNode.isTextual()) {
            throw new ModelSpecException(path + ".type", "expected a string, got " + SpecNode.describe(typeNode));
        }
        String name = typeNode.textValue();
        ModuleType type = byName.get(name);
        if (type == null) {
            throw new ModelSpecException(path + ".type", "unknown type '" + name + "'"
                    + SpecNode.suggestion(name, names()) + "; expected one of " + String.join(", ", names()));
        }
        List<String> allowed = new ArrayList<>(List.of("type"));
        allowed.addAll(type.fields());
        ModuleSpec spec;
        try {
            spec = type.read(new SpecNode(node, path, this, allowed));
        } catch (ModelSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) { // a type's own check, without a path
            throw new ModelSpecException(path, e.getMessage(), e);
        }
        if (spec == null) {
            throw new IllegalStateException("module type '" + name + "' (" + type.getClass().getName() + where(type)
                    + ") read " + path + " as null");
        }
        return spec;
    }

    /** {@code " (in /path/my-modules.jar)"}: where a type's class comes from, when known. */
    static String where(Object type) {
        CodeSource source = type.getClass().getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return location == null ? "" : " (in " + location.getPath() + ")";
    }
}
