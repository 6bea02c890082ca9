package org.canvasbatch.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaParameter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The dependency and naming rules of ARCHITECTURE.md, written once for a root package so that the same rule objects
 * judge the real code ({@code forRoot("org.canvasbatch")}) and the deliberately bad fixtures that prove each rule
 * can fail ({@code forRoot("org.canvasbatch.architecture.fixtures.bad")}).
 */
final class ArchitectureRules {

    /*
     * java.net is mostly sockets and connections, so the core may not use it, except for the few classes that are pure
     * text handling and never open a connection. java.net.URL is deliberately not among them: its equals() and
     * hashCode() resolve host names over the network.
     */
    private static final Set<String> HARMLESS_JAVA_NET =
            Set.of("java.net.URI", "java.net.URISyntaxException", "java.net.URLEncoder", "java.net.URLDecoder");

    private static final Set<String> JAVA_IO_ON_DISK = Set.of(
            "java.io.File",
            "java.io.FileInputStream",
            "java.io.FileOutputStream",
            "java.io.FileReader",
            "java.io.FileWriter",
            "java.io.RandomAccessFile",
            "java.io.FileDescriptor");

    private static final List<String> FRAMEWORK_PACKAGES = List.of("io.helidon", "jakarta", "org.eclipse");

    private static final List<String> NETWORK_AND_DISK_PACKAGES =
            List.of("java.net.http", "java.nio.file", "java.nio.channels", "java.sql", "javax.sql", "org.postgresql");

    /*
     * Compared with whole camel-case words (and pairs of them, for "OpenAI" or "WebSocket"), so "ProfileStore" is not
     * about files while "FileStore", "NoteFiles", "JSONEventLog" and "HttpsFetcher" are about their technology.
     */
    private static final Set<String> TECHNOLOGIES = Set.of(
            "helidon",
            "http",
            "rest",
            "websocket",
            "socket",
            "tcp",
            "json",
            "xml",
            "yaml",
            "csv",
            "file",
            "disk",
            "nio",
            "redis",
            "sqlite",
            "sql",
            "jdbc",
            "jpa",
            "postgres",
            "mysql",
            "mongo",
            "kafka",
            "grpc",
            "jakarta",
            "parsson",
            "openai",
            "anthropic",
            "s3");

    private static final Pattern CAMEL_CASE_BOUNDARY =
            Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");

    // javac compiles a package's documentation into a synthetic interface of this name
    private static final String PACKAGE_INFO = "package-info";

    private final String root;

    private ArchitectureRules(String root) {
        this.root = root;
    }

    static ArchitectureRules forRoot(String root) {
        return new ArchitectureRules(root);
    }

    /** Every rule below, so that a rule added here is checked against the real code without further wiring. */
    List<ArchRule> all() {
        return List.of(
                coreUsesNoFrameworkNetworkOrDisk(),
                coreKnowsNoAdapterOrBootstrap(),
                domainDependsOnlyOnJava(),
                applicationDependsOnlyOnDomainAndJava(),
                portsDependOnlyOnDomainAndEachOther(),
                adaptersDoNotKnowEachOther(),
                adaptersDoNotKnowBootstrap(),
                adaptersReachTheCoreOnlyThroughItsPorts(),
                servicesGetTheirCollaboratorsInTheirConstructors(),
                servicesDoNotDependOnEachOtherInCircles(),
                topLevelPackagesAreFreeOfCycles(),
                inPortsAreNamedUseCaseOrQuery(),
                outPortsAreNamedForCapabilities(),
                coreIsNotAnnotatedByFrameworks());
    }

    ArchRule coreUsesNoFrameworkNetworkOrDisk() {
        return noClasses()
                .that()
                .resideInAnyPackage(domain(), application())
                .should()
                .dependOnClassesThat(frameworkNetworkOrDisk())
                .because("the sessions, tasks and use cases must behave the same in a unit test, on the command line"
                        + " and behind the server: talking HTTP or JSON, opening sockets, touching files and querying"
                        + " a database is the job"
                        + " of the adapters, which the core reaches only through its ports");
    }

    ArchRule coreKnowsNoAdapterOrBootstrap() {
        return noClasses()
                .that()
                .resideInAnyPackage(domain(), application())
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(adapters(), bootstrap())
                .because("dependencies point inwards: adapters plug into the core, so the core has to compile and"
                        + " make sense without any of them, and replacing an adapter must never change the core");
    }

    ArchRule domainDependsOnlyOnJava() {
        return classes()
                .that()
                .resideInAPackage(domain())
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(domain(), "java..")
                .because("the domain is the business alone (sessions, node tasks, grouping, routing): it knows"
                        + " neither the use cases and ports around it nor any library");
    }

    ArchRule applicationDependsOnlyOnDomainAndJava() {
        return classes()
                .that()
                .resideInAPackage(application())
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(application(), domain(), "java..")
                .because("the use cases may use the domain and the JDK, nothing else: a library in the core would"
                        + " have to be carried by every adapter and every test");
    }

    ArchRule portsDependOnlyOnDomainAndEachOther() {
        return classes()
                .that()
                .resideInAnyPackage(portIn(), portOut())
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(portIn(), portOut(), domain(), "java..")
                .because("a port is the contract an adapter codes against: if it mentioned a service of the core"
                        + " or an adapter, implementing it would drag that implementation along");
    }

    ArchRule adaptersDoNotKnowEachOther() {
        return slices().matching(root + ".adapters.(*)..")
                .namingSlices("adapter '$1'")
                .should()
                .notDependOnEachOther()
                .because("each adapter talks only to the core, so that the agents, the executor, the vault, the"
                        + " journal and the HTTP server can each be replaced or tested alone; bootstrap connects them");
    }

    ArchRule adaptersDoNotKnowBootstrap() {
        return noClasses()
                .that()
                .resideInAPackage(adapters())
                .should()
                .dependOnClassesThat()
                .resideInAPackage(bootstrap())
                .because("bootstrap wires the adapters together; an adapter that reached back into it could reach"
                        + " every other adapter through it and could no longer be started on its own in a test");
    }

    ArchRule adaptersReachTheCoreOnlyThroughItsPorts() {
        return noClasses()
                .that()
                .resideInAPackage(adapters())
                .should()
                .dependOnClassesThat(DescribedPredicate.describe(
                        "belong to the core's application but are not one of its ports",
                        (JavaClass type) -> isWithin(type.getPackageName(), root + ".application")
                                && !isWithin(type.getPackageName(), root + ".application.port")))
                .because("an inbound adapter is handed the use cases it needs (UseCases) and an outbound adapter"
                        + " implements an out-port; one that held the core's assembly or a service could call anything"
                        + " in the core, and the ports would no longer say what the adapters need");
    }

    ArchRule servicesGetTheirCollaboratorsInTheirConstructors() {
        return fields().that()
                .areDeclaredInClassesThat()
                .resideInAPackage(application())
                .and()
                .haveRawType(DescribedPredicate.describe(
                        "a service or a port of the core",
                        (JavaClass type) ->
                                isWithin(type.getPackageName(), root + ".application") && type.isTopLevelClass()))
                .should()
                .beFinal()
                .because("a service gets its collaborators once, in its constructor: one wired later by a setter is"
                        + " half-built until someone remembers the call, and setters are how services came to depend"
                        + " on each other in circles");
    }

    ArchRule servicesDoNotDependOnEachOtherInCircles() {
        String services = root + ".application.batch";
        return slices().assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass type) {
                        JavaClass top = type;
                        while (top.getEnclosingClass().isPresent()) {
                            top = top.getEnclosingClass().get();
                        }
                        return top.getPackageName().equals(services)
                                ? SliceIdentifier.of(top.getSimpleName())
                                : SliceIdentifier.ignore();
                    }

                    @Override
                    public String getDescription() {
                        return "the classes of application.batch, each with its nested classes";
                    }
                })
                .should()
                .beFreeOfCycles()
                .because("two services that call each other can only be built with a setter and only be understood"
                        + " together; one of them owns the other (the dispatcher owns the execution of what it"
                        + " starts), or what they share moves into a third");
    }

    ArchRule topLevelPackagesAreFreeOfCycles() {
        return slices().matching(root + ".(*).(*)..")
                .namingSlices("$1.$2")
                .should()
                .beFreeOfCycles()
                .because("packages that depend on each other in a circle can only be understood, tested and changed"
                        + " together, which defeats the point of having packages");
    }

    ArchRule inPortsAreNamedUseCaseOrQuery() {
        // Only the in-port interfaces themselves: their command records, results and exceptions live beside them,
        // and an interface nested in a use case (a callback of it) is part of that use case, not one of its own.
        return classes()
                .that()
                .resideInAPackage(portIn())
                .and()
                .areInterfaces()
                .and()
                .areTopLevelClasses()
                .and()
                .doNotHaveSimpleName(PACKAGE_INFO)
                .should()
                .haveSimpleNameEndingWith("UseCase")
                .orShould()
                .haveSimpleNameEndingWith("Query")
                .because("an interface in port.in is something the world may ask of the core; calling it"
                        + " ...UseCase when it changes something and ...Query when it only reads tells an adapter"
                        + " author which is which at a glance");
    }

    ArchRule outPortsAreNamedForCapabilities() {
        return classes()
                .that()
                .resideInAPackage(portOut())
                .and()
                .areInterfaces()
                .and()
                .doNotHaveSimpleName(PACKAGE_INFO)
                .should(beNamedForACapabilityNotATechnology())
                .because("an out-port says what the core needs (EventLog, Vault, AgentRunner), never how an adapter"
                        + " provides it, so that a file journal can become a Redis journal without renaming the core");
    }

    ArchRule coreIsNotAnnotatedByFrameworks() {
        return classes()
                .that()
                .resideInAnyPackage(domain(), application())
                .should(carryNoAnnotationsFromOutside("java", root + ".domain", root + ".application"))
                .because("nothing wires the core by magic: bootstrap builds it by hand with new, so an annotation"
                        + " from a framework would only tie the core to that framework");
    }

    private String domain() {
        return root + ".domain..";
    }

    private String application() {
        return root + ".application..";
    }

    private String portIn() {
        return root + ".application.port.in..";
    }

    private String portOut() {
        return root + ".application.port.out..";
    }

    private String adapters() {
        return root + ".adapters..";
    }

    private String bootstrap() {
        return root + ".bootstrap..";
    }

    private static DescribedPredicate<JavaClass> frameworkNetworkOrDisk() {
        return DescribedPredicate.describe(
                "belong to Helidon, Jakarta or Eclipse, or reach the network (java.net.http, sockets), the disk"
                        + " (java.nio.file, java.nio.channels, java.io files) or a database (JDBC, PostgreSQL's driver)",
                (JavaClass type) -> {
                    JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
                    String pkg = base.getPackageName();
                    return FRAMEWORK_PACKAGES.stream().anyMatch(p -> isWithin(pkg, p))
                            || NETWORK_AND_DISK_PACKAGES.stream().anyMatch(p -> isWithin(pkg, p))
                            || (pkg.equals("java.net") && !HARMLESS_JAVA_NET.contains(base.getName()))
                            || JAVA_IO_ON_DISK.contains(base.getName());
                });
    }

    private static boolean isWithin(String pkg, String parent) {
        return pkg.equals(parent) || pkg.startsWith(parent + ".");
    }

    private static ArchCondition<JavaClass> beNamedForACapabilityNotATechnology() {
        return new ArchCondition<>("be named for a capability, not for a technology") {
            @Override
            public void check(JavaClass port, ConditionEvents events) {
                technologyIn(port.getSimpleName())
                        .ifPresent(technology -> events.add(SimpleConditionEvent.violated(
                                port,
                                "Interface <%s> is named for the technology '%s'"
                                        .formatted(port.getName(), technology))));
            }
        };
    }

    private static Optional<String> technologyIn(String name) {
        List<String> words = List.of(CAMEL_CASE_BOUNDARY.split(name));
        List<String> candidates = new ArrayList<>(words);
        for (int i = 0; i + 1 < words.size(); i++) {
            candidates.add(words.get(i) + words.get(i + 1));
        }
        return candidates.stream()
                .filter(word -> {
                    String lower = word.toLowerCase(Locale.ROOT);
                    return TECHNOLOGIES.contains(lower)
                            || (lower.endsWith("s") && TECHNOLOGIES.contains(lower.substring(0, lower.length() - 1)));
                })
                .findFirst();
    }

    private static ArchCondition<JavaClass> carryNoAnnotationsFromOutside(String... allowedPackages) {
        return new ArchCondition<>("carry no annotation from outside " + String.join(", ", allowedPackages)) {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                report(type, "Class <" + type.getName() + ">", type.getAnnotations(), events);
                for (JavaField field : type.getFields()) {
                    report(type, "Field <" + field.getFullName() + ">", field.getAnnotations(), events);
                }
                for (JavaCodeUnit code : type.getCodeUnits()) {
                    report(type, code.getDescription(), code.getAnnotations(), events);
                    for (JavaParameter parameter : code.getParameters()) {
                        report(type, parameter.getDescription(), parameter.getAnnotations(), events);
                    }
                }
            }

            private void report(
                    JavaClass owner,
                    String where,
                    Set<? extends JavaAnnotation<?>> annotations,
                    ConditionEvents events) {
                for (JavaAnnotation<?> annotation : annotations) {
                    String pkg = annotation.getRawType().getPackageName();
                    boolean allowed = List.of(allowedPackages).stream().anyMatch(p -> isWithin(pkg, p));
                    if (!allowed) {
                        events.add(SimpleConditionEvent.violated(
                                owner,
                                "%s is annotated with @%s"
                                        .formatted(
                                                where, annotation.getRawType().getName())));
                    }
                }
            }
        };
    }
}
