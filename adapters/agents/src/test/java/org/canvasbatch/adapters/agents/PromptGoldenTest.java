package org.canvasbatch.adapters.agents;

import java.util.Arrays;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in prompt as a model receives it, byte for byte: {@code src/test/resources/prompt-golden/<agent-id>/
 * <case>.md}, the system part then the user part. The template engine also renders the offline notes, so this pins
 * that a change made for the notes leaves the prompts as they were. After a deliberate change, rewrite the files with
 * {@code ./mvnw -pl adapters/agents test -Dtest=PromptGoldenTest -Dgolden.update=true} and review the diff.
 */
class PromptGoldenTest {

    static Stream<Arguments> cases() {
        Stream<Arguments> full = Arrays.stream(AgentId.values())
                .flatMap(agent -> Stream.of(
                        Arguments.of(agent.wireName() + "/full.zh", Requests.zh(agent)),
                        Arguments.of(agent.wireName() + "/full.en", Requests.en(agent))));
        Stream<Arguments> bare = Stream.of(
                Arguments.of("oral-explanation/bare.zh", Requests.bare(AgentId.ORAL_EXPLANATION, "什么是等价关系")),
                Arguments.of(
                        "oral-explanation/bare.en", Requests.bare(AgentId.ORAL_EXPLANATION, "What is a hash table?")),
                Arguments.of(
                        "example-teaching/file.zh",
                        new AgentRequest(
                                AgentId.EXAMPLE_TEACHING,
                                "f",
                                "鸽巢原理",
                                "# 鸽巢原理\n\n\n\n如果把 n+1 个物体放进 n 个盒子，{{node_text}} 至少有一个盒子里有两个物体。",
                                null)));
        return Stream.concat(full, bare);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePromptIsExactlyTheGoldenFile(String name, AgentRequest request) throws Exception {
        Prompt prompt = PromptTemplates.builtIn().render(request);
        GoldenFiles.assertMatches(
                "prompt-golden/" + name + ".md",
                "<!-- system -->\n" + prompt.system() + "\n<!-- user -->\n" + prompt.user() + "\n");
    }
}
