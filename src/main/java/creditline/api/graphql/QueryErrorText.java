package creditline.api.graphql;

import graphql.language.AstPrinter;
import graphql.language.Document;
import graphql.language.Node;
import graphql.language.NodeTraverser;
import graphql.language.NodeVisitorStub;
import graphql.language.Value;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * graphql-java's messages about a query, in the caller's words: a value as written in the query
 * ({@code 12}, {@code "x"}) where graphql-java shows its syntax tree ({@code IntValue{value=12}}),
 * and GraphQL or JSON kinds where it names Java classes ({@code 'StringValue'}, {@code 'BigInteger'}).
 */
final class QueryErrorText {
    private static final String WITH_VALUE = " with value '";
    /** What follows the value in graphql-java's argument messages (i18n/Validation.properties, ArgumentValidationUtil). */
    private static final List<String> AFTER_VALUE = List.of("' is not a valid '", "' must not be null", "' must be an object type",
            "' is missing required fields '", "' contains a field not in '");
    private static final Pattern CLASS_NAME = Pattern.compile("(AST type of |' or |it was a )'(\\w+)'");
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("IntValue", "Int"), Map.entry("FloatValue", "Float"), Map.entry("StringValue", "String"),
            Map.entry("BooleanValue", "Boolean"), Map.entry("EnumValue", "enum value"), Map.entry("NullValue", "null"),
            Map.entry("ArrayValue", "list"), Map.entry("ObjectValue", "input object"),
            Map.entry("BigInteger", "number"), Map.entry("BigDecimal", "number"), Map.entry("Integer", "number"),
            Map.entry("Long", "number"), Map.entry("Double", "number"), Map.entry("LinkedHashMap", "object"), Map.entry("ArrayList", "list"));

    private final String query;
    /** Each value of the query, by its syntax-tree text; parsed on the first message that needs it. */
    private Map<String, String> written;

    QueryErrorText(String query) {
        this.query = query;
    }

    String reword(String message) {
        return classNames(valueAsWritten(message));
    }

    private String valueAsWritten(String message) {
        int start = message.indexOf(WITH_VALUE);
        if (start < 0) return message;
        start += WITH_VALUE.length();
        for (String after : AFTER_VALUE) {
            for (int end = message.indexOf(after, start); end >= 0; end = message.indexOf(after, end + 1)) {
                String value = written().get(message.substring(start, end));
                if (value != null) return message.substring(0, start) + value + message.substring(end);
            }
        }
        return message;
    }

    private static String classNames(String message) {
        Matcher m = CLASS_NAME.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "'" + KINDS.getOrDefault(m.group(2), m.group(2)) + "'"));
        return m.appendTail(out).toString().replace("an AST type of", "a literal of type");
    }

    private Map<String, String> written() {
        if (written == null) {
            written = new HashMap<>();
            try {
                Document document = Parser.parse(query);
                new NodeTraverser().preOrder(new NodeVisitorStub() {
                    @Override
                    protected TraversalControl visitValue(Value<?> node, TraverserContext<Node> context) {
                        written.put(node.toString(), AstPrinter.printAst(node));
                        return TraversalControl.CONTINUE;
                    }
                }, document);
            } catch (InvalidSyntaxException e) {
                // A query that does not parse has no values to show: its message is graphql-java's syntax error.
            }
        }
        return written;
    }
}
