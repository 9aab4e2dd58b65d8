package creditline.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser against the real server: sign in, every number against the
 * API's, sorting and search, CSV downloads, inline and bulk budgets (checked through the API),
 * My Usage with a member key, billing and models; screenshots under target/screenshots/.
 * Read-only checks run first; the budget edits last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final String ORG = "webco";
    private static final String ADA = "ada@webco.example";
    private static final String BOB = "bob@webco.example";
    private static final String GRACE = "grace@webco.example";
    private static final List<String> MEMBERS = List.of(ADA, BOB, "carol@webco.example", "SA ci-bot", GRACE);
    private static final int MODELS = 9;

    static TestServer server;
    static Browser browser;
    static String adminKey;
    static String memberKey;

    @BeforeAll
    static void start() {
        Browser.requireInstalled();
        server = TestServer.sqlite();
        DashboardFixture.create(server, ORG, MEMBERS, MODELS);
        adminKey = server.op("POST", "/v1/orgs/" + ORG + "/keys", "{\"role\":\"admin\",\"memberId\":\"" + ADA + "\"}").path("key").asText();
        memberKey = server.op("POST", "/v1/orgs/" + ORG + "/keys", "{\"role\":\"member\",\"memberId\":\"" + GRACE + "\"}").path("key").asText();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    // ---- helpers ----

    private static void signIn(String key) {
        browser.driver.get(server.url("/"));
        browser.script("sessionStorage.clear()");
        browser.driver.get(server.url("/"));
        browser.find(By.id("api-key")).sendKeys(key, Keys.ENTER);
        browser.byTestId("who");
    }

    private static void open(String hash) {
        browser.driver.get(server.url("/#/" + hash));
    }

    private static String text(String testId) {
        return browser.byTestId(testId).getText();
    }

    /** The range the page shows, as the API's query. */
    private static String shownRange() {
        WebElement r = browser.byTestId("range");
        return "from=" + r.getAttribute("data-from") + "&to=" + r.getAttribute("data-to");
    }

    private static JsonNode api(String path, String key) {
        TestServer.Response r = server.get(path, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The member table's rows as the page shows them: member, credits, events. */
    private static List<List<String>> memberRows() {
        return browser.until(d -> {
            List<List<String>> rows = new ArrayList<>();
            for (WebElement tr : d.findElements(By.cssSelector("[data-testid='members-table'] tbody tr"))) {
                rows.add(List.of(tr.getAttribute("data-member"), tr.findElement(By.cssSelector("[data-col='credits']")).getText(),
                        tr.findElement(By.cssSelector("[data-col='events']")).getText()));
            }
            return rows.isEmpty() ? null : rows;
        });
    }

    private static List<List<String>> apiRows(String query) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : api("/v1/orgs/" + ORG + "/usage/members?" + query, adminKey).path("rows")) {
            rows.add(List.of(r.path("memberId").asText(), r.path("credits").asText(), r.path("events").asText()));
        }
        return rows;
    }

    private static void awaitRows(List<List<String>> expected) {
        browser.until(d -> memberRows().equals(expected));
    }

    /** A percent of the API (a number, 2 decimals) as the page writes it. */
    private static String percent(JsonNode p) {
        return new BigDecimal(p.asText()).setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString() + "%";
    }

    private static String rowBudget(String member) {
        return browser.until(d -> {
            List<WebElement> b = d.findElements(By.cssSelector("tr[data-member='" + member + "'] [data-testid='edit-budget']"));
            return b.isEmpty() ? null : b.get(0).getText();
        });
    }

    private static String override(String member) {
        for (JsonNode o : api("/v1/orgs/" + ORG + "/budgets/members", adminKey).path("overrides")) {
            if (o.path("memberId").asText().equals(member)) return o.path("credits").isNull() ? "unlimited" : o.path("credits").asText();
        }
        return null;
    }

    // ---- tests ----

    @Test
    @Order(1)
    void signInFindsTheRoleAndSignOutForgetsTheKey() {
        browser.driver.get(server.url("/"));
        browser.script("sessionStorage.clear()");
        browser.driver.get(server.url("/"));
        browser.find(By.id("api-key")).sendKeys("not-a-key", Keys.ENTER);
        browser.until(d -> d.findElement(By.cssSelector(".signin [role='alert']")).getText().contains("not accepted"));
        browser.screenshot("sign-in", Browser.WIDTH);

        signIn(adminKey);
        assertThat(text("who")).contains(ADA).contains("(admin)");
        assertThat(browser.script("return sessionStorage.getItem('creditline.key')")).isEqualTo(adminKey);
        assertThat(browser.driver.findElements(By.cssSelector("#nav a"))).extracting(WebElement::getText)
                .containsExactly("Organization Usage", "Plan & billing", "Models");

        browser.byTestId("sign-out").click();
        browser.find(By.id("api-key"));
        assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
        browser.driver.navigate().refresh();
        assertThat(browser.find(By.id("api-key")).isDisplayed()).as("still signed out after a reload").isTrue();
    }

    @Test
    @Order(2)
    void organizationUsageShowsTheApisNumbers() {
        signIn(adminKey);
        open("usage");
        for (String preset : new String[] {"30", "7"}) {
            browser.find(By.cssSelector("[data-preset='" + preset + "']")).click();
            browser.until(d -> d.findElement(By.cssSelector("[data-preset='" + preset + "']")).getAttribute("aria-pressed").equals("true"));
            String range = shownRange();
            JsonNode s = api("/v1/orgs/" + ORG + "/usage/summary?" + range, adminKey);
            assertThat(s.path("days").asInt()).isEqualTo(Integer.parseInt(preset));
            browser.until(d -> text("credits-consumed").equals(s.path("creditsConsumed").asText()));
            assertThat(text("avg-credits-per-day")).isEqualTo(s.path("avgCreditsPerDay").asText());
            List<List<String>> models = new ArrayList<>();
            for (JsonNode m : s.path("byModel")) models.add(List.of(m.path("model").asText(), m.path("credits").asText()));
            assertThat(browser.driver.findElements(By.cssSelector("[data-testid='model-table'] tbody tr")))
                    .extracting(tr -> List.of(tr.getAttribute("data-model"), tr.findElement(By.cssSelector("[data-col='credits']")).getText()))
                    .containsExactlyElementsOf(models);
            List<String> activities = new ArrayList<>();
            for (JsonNode a : s.path("byActivity")) activities.add(a.path("activity").asText() + " " + a.path("credits").asText() + " " + percent(a.path("percent")));
            assertThat(browser.driver.findElements(By.cssSelector("[data-testid='activity-table'] tbody tr")))
                    .extracting(WebElement::getText).containsExactlyElementsOf(activities);
            awaitRows(apiRows(range));
        }
        assertThat(s7Differs()).as("the fixture has usage outside the last 7 days").isTrue();
        // budgets exist, so the Budget and Usage columns show the API's values
        JsonNode bob = api("/v1/orgs/" + ORG + "/usage/members?" + shownRange() + "&search=bob", adminKey).path("rows").get(0);
        WebElement bobRow = browser.find(By.cssSelector("tr[data-member='" + BOB + "']"));
        assertThat(bobRow.findElement(By.cssSelector("[data-col='budget']")).getText()).isEqualTo(bob.path("budget").asText());
        assertThat(bobRow.findElement(By.cssSelector("[data-col='usage']")).getText())
                .isEqualTo(bob.path("budgetConsumed").asText() + " / " + bob.path("budget").asText() + " (" + percent(bob.path("usagePercent")) + ")");

        browser.find(By.cssSelector("[data-preset='30']")).click();
        browser.until(d -> shownRange().equals(DashboardFixture.LAST_30_DAYS));
        browser.screenshot("organization-usage", Browser.WIDTH);
        browser.screenshot("organization-usage-phone", 390);
    }

    private static boolean s7Differs() {
        String week = api("/v1/orgs/" + ORG + "/usage/summary?" + shownRange(), adminKey).path("creditsConsumed").asText();
        String month = api("/v1/orgs/" + ORG + "/usage/summary?" + DashboardFixture.LAST_30_DAYS, adminKey).path("creditsConsumed").asText();
        return !week.equals(month);
    }

    @Test
    @Order(3)
    void theUserTableSortsByAnyColumnAndSearches() {
        signIn(adminKey);
        open("usage");
        String range = shownRange();
        awaitRows(apiRows(range));
        browser.find(By.cssSelector("button[data-sort='member']")).click();
        awaitRows(apiRows(range + "&sort=member&order=asc"));
        browser.find(By.cssSelector("button[data-sort='member']")).click();
        awaitRows(apiRows(range + "&sort=member&order=desc"));
        assertThat(browser.find(By.cssSelector("th[aria-sort='descending'] button")).getAttribute("data-sort")).isEqualTo("member");

        browser.find(By.cssSelector("button[data-sort='events']")).click();
        browser.until(d -> "descending".equals(d.findElement(By.cssSelector("button[data-sort='events']")).findElement(By.xpath("..")).getAttribute("aria-sort")));
        List<Long> events = memberRows().stream().map(r -> Long.parseLong(r.get(2))).toList();
        assertThat(events).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(memberRows()).containsExactlyInAnyOrderElementsOf(apiRows(range));

        browser.find(By.cssSelector("button[data-sort='credits']")).click();
        browser.find(By.cssSelector("button[data-sort='credits']")).click();
        awaitRows(apiRows(range + "&sort=credits&order=asc"));

        browser.find(By.id("member-search")).sendKeys("BO");
        awaitRows(apiRows(range + "&sort=credits&order=asc&search=bo"));
        assertThat(memberRows()).extracting(r -> r.get(0)).containsExactlyInAnyOrder(BOB, "SA ci-bot");
        browser.find(By.id("member-search")).sendKeys("B@");
        awaitRows(apiRows(range + "&sort=credits&order=asc&search=bob@"));
        assertThat(memberRows()).extracting(r -> r.get(0)).containsExactly(BOB);
        browser.find(By.id("member-search")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "zzz-nobody");
        browser.until(d -> d.findElement(By.cssSelector(".state.empty")).getText().contains("zzz-nobody"));
    }

    @Test
    @Order(4)
    void csvExportsAreTheApisFiles() throws IOException {
        signIn(adminKey);
        open("usage");
        String range = shownRange();
        browser.byTestId("credits-consumed");
        browser.byTestId("export-members").click();
        Path members = browser.download(ORG + "-usage-members");
        assertThat(Files.readString(members, StandardCharsets.UTF_8)).isEqualTo(server.get("/v1/orgs/" + ORG + "/usage/members.csv?" + range, adminKey).body());
        browser.byTestId("export-models").click();
        Path models = browser.download(ORG + "-usage-models");
        String expected = server.get("/v1/orgs/" + ORG + "/usage/models.csv?" + range, adminKey).body();
        assertThat(Files.readString(models, StandardCharsets.UTF_8)).isEqualTo(expected).contains("model-a");
    }

    @Test
    @Order(5)
    void myUsageShowsOnlyTheMembersOwnUsage() {
        signIn(memberKey);
        assertThat(browser.driver.findElements(By.cssSelector("#nav a"))).extracting(WebElement::getText).containsExactly("My Usage", "Models");
        browser.until(d -> text("my-member").contains(GRACE));
        JsonNode me = api("/v1/me/usage?" + shownRange(), memberKey);
        browser.until(d -> text("credits-consumed").equals(me.path("creditsConsumed").asText()));
        assertThat(text("avg-credits-per-day")).isEqualTo(me.path("avgCreditsPerDay").asText());
        assertThat(text("budget-consumed")).isEqualTo(me.path("monthlyBudget").path("consumed").asText());
        assertThat(text("budget-credits")).isEqualTo(me.path("monthlyBudget").path("credits").asText());

        JsonNode byModel = me.path("byModel");
        assertThat(byModel.size()).as("the member used more models than the chart shows").isGreaterThan(7);
        List<List<String>> expected = new ArrayList<>();
        BigDecimal other = BigDecimal.ZERO;
        for (int i = 0; i < byModel.size(); i++) {
            if (i < 7) expected.add(List.of(byModel.get(i).path("model").asText(), byModel.get(i).path("credits").asText()));
            else other = other.add(new BigDecimal(byModel.get(i).path("credits").asText()));
        }
        expected.add(List.of("Other", other.toPlainString()));
        assertThat(browser.driver.findElements(By.cssSelector("[data-testid='my-model-table'] tbody tr")))
                .extracting(tr -> List.of(tr.getAttribute("data-model"), tr.findElement(By.cssSelector("[data-col='credits']")).getText()))
                .containsExactlyElementsOf(expected);
        String page = browser.find(By.tagName("main")).getText();
        for (String other2 : MEMBERS) if (!other2.equals(GRACE)) assertThat(page).doesNotContain(other2);
        assertThat(browser.driver.findElements(By.cssSelector("#main .chart"))).hasSize(2);
        browser.screenshot("my-usage", Browser.WIDTH);
        browser.screenshot("my-usage-phone", 390);
        browser.resize(390, Browser.HEIGHT);
        // The charts follow the new width on their resize observer's next frame: wait for the layout, then check it.
        browser.until(d -> (Long) browser.script("return document.documentElement.scrollWidth") <= 390L);
        assertThat((Long) browser.script("return document.documentElement.scrollWidth")).as("no sideways scrolling on a phone").isLessThanOrEqualTo(390L);
        browser.resize(Browser.WIDTH, Browser.HEIGHT);
    }

    @Test
    @Order(6)
    void planAndBillingAndModelsShowTheApisValues() {
        signIn(adminKey);
        open("billing");
        JsonNode sub = api("/v1/orgs/" + ORG + "/subscription", adminKey);
        browser.until(d -> text("credits-used").equals(sub.path("usage").path("creditsUsed").asText()));
        assertThat(text("credits-remaining")).isEqualTo(sub.path("balance").path("credits").asText());
        assertThat(text("percent-used")).isEqualTo(percent(sub.path("usage").path("percentUsed")));
        assertThat(text("billing-period")).contains(sub.path("periodStart").asText()).contains(sub.path("periodEnd").asText());
        assertThat(browser.driver.findElements(By.cssSelector("[data-testid='token-table'] tbody td")))
                .extracting(WebElement::getText).containsExactly(sub.path("usage").path("tokens").path("input").asText(),
                        sub.path("usage").path("tokens").path("output").asText(), sub.path("usage").path("tokens").path("cacheWrite").asText(),
                        sub.path("usage").path("tokens").path("cacheRead").asText(), sub.path("usage").path("totalTokensUsed").asText());
        JsonNode grant = sub.path("balance").path("grants").get(0);
        assertThat(text("grants-table")).contains(grant.path("credits").asText()).contains(grant.path("reason").asText());
        browser.screenshot("plan-and-billing", Browser.WIDTH);

        open("models");
        JsonNode models = api("/v1/models", adminKey).path("models");
        browser.until(d -> d.findElements(By.cssSelector("[data-testid='models-table'] tbody tr")).size() == models.size());
        for (JsonNode m : models) {
            WebElement row = browser.find(By.cssSelector("tr[data-model='" + m.path("id").asText() + "']"));
            for (String field : new String[] {"creditInputPer1M", "creditOutputPer1M", "creditCacheReadPer1M", "creditPerRequest"}) {
                JsonNode v = m.path("rates").path(field);
                assertThat(row.findElement(By.cssSelector("[data-col='" + field + "']")).getText()).isEqualTo(v.isNull() ? "—" : v.asText());
            }
        }
        browser.screenshot("models", Browser.WIDTH);
    }

    @Test
    @Order(7)
    void aBudgetSetInlineIsSavedAndClearedThroughTheApi() {
        signIn(adminKey);
        open("budget");
        String defaultBudget = api("/v1/orgs/" + ORG + "/budgets", adminKey).path("defaultMember").path("credits").asText();
        assertThat(rowBudget(BOB)).isEqualTo(defaultBudget + " (default)");
        browser.screenshot("budget", Browser.WIDTH);

        browser.find(By.cssSelector("tr[data-member='" + BOB + "'] [data-testid='edit-budget']")).click();
        browser.find(By.cssSelector("tr[data-member='" + BOB + "'] input.budget-edit")).sendKeys("123.5", Keys.ENTER);
        browser.until(d -> "123.50".equals(rowBudget(BOB)));
        assertThat(override(BOB)).isEqualTo("123.50");

        browser.find(By.cssSelector("tr[data-member='" + BOB + "'] [data-testid='edit-budget']")).click();
        WebElement input = browser.find(By.cssSelector("tr[data-member='" + BOB + "'] input.budget-edit"));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE, Keys.ENTER);
        browser.until(d -> (defaultBudget + " (default)").equals(rowBudget(BOB)));
        assertThat(override(BOB)).as("an empty budget removes the override").isNull();

        // A removed member's usage stays listed, with no budget to show or edit.
        String gone = "gone@webco.example";
        server.op("PUT", "/v1/orgs/" + ORG + "/members/" + gone, "{\"role\": \"member\"}");
        server.op("POST", "/v1/usage", "{\"id\": \"gone-1\", \"orgId\": \"" + ORG + "\", \"memberId\": \"" + gone + "\", \"model\": \""
                + DashboardFixture.model(0) + "\", \"activity\": \"chat\", \"tokens\": {\"input\": 1000}}");
        server.call("DELETE", "/v1/orgs/" + ORG + "/members/" + gone, TestServer.OPERATOR_KEY, null);
        open("usage");
        open("budget");
        WebElement budgetCell = browser.until(d -> d.findElements(By.cssSelector("tr[data-member='" + gone + "'] [data-col='budget']")).stream()
                .findFirst().orElse(null));
        assertThat(budgetCell.getText()).isEqualTo("—");
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-member='" + gone + "'] [data-testid='edit-budget']"))).isEmpty();
    }

    @Test
    @Order(8)
    void theConfigurePanelSavesAndBulkUploadShowsItsIssuesThenSaves() throws IOException {
        signIn(adminKey);
        open("budget");
        browser.find(By.cssSelector("[aria-controls='configure-panel']")).click();
        WebElement orgBudget = browser.find(By.id("org-credits"));
        assertThat(orgBudget.getAttribute("value")).isEqualTo(api("/v1/orgs/" + ORG + "/budgets", adminKey).path("org").path("credits").asText());
        orgBudget.sendKeys(Keys.chord(Keys.CONTROL, "a"), "9500.25");
        browser.find(By.id("member-alert")).sendKeys(Keys.chord(Keys.CONTROL, "a"), "75");
        browser.find(By.id("member-enforce")).click();
        browser.find(By.xpath("//form[@aria-labelledby='configure-title']//button[text()='Save']")).click();
        browser.until(d -> text("org-budget").equals("9500.25"));
        JsonNode budgets = api("/v1/orgs/" + ORG + "/budgets", adminKey);
        assertThat(budgets.path("org").path("credits").asText()).isEqualTo("9500.25");
        assertThat(budgets.path("org").path("enforce").asBoolean()).isTrue();
        assertThat(budgets.path("defaultMember").path("alertPercent").asInt()).isEqualTo(75);
        assertThat(budgets.path("defaultMember").path("enforce").asBoolean()).as("toggled on").isTrue();

        browser.find(By.cssSelector("[aria-controls='configure-panel']")).click();
        browser.find(By.xpath("//button[text()='Bulk Manage']")).click();
        browser.byTestId("bulk-template").click();
        Path template = browser.download(ORG + "-member-budgets");
        assertThat(Files.readString(template)).isEqualTo(server.get("/v1/orgs/" + ORG + "/budgets/members.csv", adminKey).body());

        Path bad = Files.createTempFile("budgets-bad", ".csv");
        Files.writeString(bad, "user,budget\n" + BOB + ",lots\n");
        browser.find(By.id("bulk-file")).sendKeys(bad.toAbsolutePath().toString());
        browser.until(d -> text("bulk-errors").contains("Line 2"));
        assertThat(browser.byTestId("bulk-save").isEnabled()).as("a file with errors cannot be saved").isFalse();

        Path good = Files.createTempFile("budgets", ".csv");
        Files.writeString(good, "user,budget\n" + BOB + ",250\nghost@webco.example,10\nSA ci-bot,unlimited\n");
        browser.find(By.id("bulk-file")).sendKeys(good.toAbsolutePath().toString());
        browser.until(d -> text("bulk-warnings").contains("Line 3"));
        assertThat(text("bulk-warnings")).contains("ghost@webco.example");
        assertThat(override(BOB)).as("a dry run applies nothing").isNull();
        browser.screenshot("budget-bulk-manage", Browser.WIDTH);

        browser.byTestId("bulk-save").click();
        browser.until(d -> text("bulk-report").contains("Saved"));
        assertThat(override(BOB)).isEqualTo("250.00");
        assertThat(override("SA ci-bot")).isEqualTo("unlimited");
        assertThat(override("ghost@webco.example")).isNull();
        browser.until(d -> "250.00".equals(rowBudget(BOB)));
    }

    @Test
    @Order(9)
    void namesInChartTooltipsAreTextNotMarkup() {
        String evil = "<img src=/pwned-tooltip onerror=alert(1)>";
        server.op("POST", "/v1/usage", "{\"id\": \"evil-agent-1\", \"orgId\": \"" + ORG + "\", \"memberId\": \"" + BOB + "\", \"model\": \""
                + DashboardFixture.model(0) + "\", \"activity\": \"chat\", \"agent\": \"" + evil + "\", \"tokens\": {\"input\": 1000}}");
        signIn(adminKey);
        open("usage");
        browser.until(d -> d.findElements(By.cssSelector("[aria-label='Credits by agent'][data-ready='true']")).isEmpty() ? null : true);
        // The tooltip ECharts shows on hover, for the evil agent's bar.
        Object tooltip = browser.asyncScript("""
                const [name, done] = arguments;
                import('/web/vendor/echarts/echarts.esm.min.js').then((echarts) => {
                  const el = document.querySelector("[aria-label='Credits by agent']");
                  const c = echarts.getInstanceByDom(el);
                  c.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: c.getOption().yAxis[0].data.indexOf(name) });
                  setTimeout(() => done(String([...el.querySelectorAll('div')].map((d) => d.innerHTML).find((x) => x.includes(' credits')))
                    + '|images:' + el.querySelectorAll('img').length), 300);
                });""", evil);
        assertThat(String.valueOf(tooltip)).contains("&lt;img src=/pwned-tooltip").doesNotContain("<img").endsWith("|images:0");
        assertThat(browser.driver.findElements(By.cssSelector("img[src='/pwned-tooltip']"))).isEmpty();
    }

    @Test
    @Order(10)
    void aLateAnswerToAnOlderSearchDoesNotReplaceTheNewerOne() {
        signIn(adminKey);
        open("usage");
        memberRows();
        // The answer to the search "b" arrives after the one to "SA ci".
        delayFirstRequest("search=b&");
        WebElement search = browser.find(By.id("member-search"));
        search.sendKeys("b");
        browser.until(d -> (Boolean) browser.script("return document.querySelector('[data-testid=members-table]') === null"));
        search.sendKeys(Keys.BACK_SPACE, "SA ci");
        awaitRows(apiRows("from=" + browser.byTestId("range").getAttribute("data-from") + "&to=" + browser.byTestId("range").getAttribute("data-to")
                + "&search=SA%20ci&sort=credits&order=desc"));
        sleep(2500); // the late answer has come and gone
        assertThat(memberRows()).extracting(r -> r.get(0)).containsExactly("SA ci-bot");
    }

    @Test
    @Order(11)
    void keyboardFocusStaysOnTheControlThatRedrewThePage() {
        signIn(adminKey);
        open("usage");
        memberRows();
        WebElement preset = browser.find(By.cssSelector("[data-preset='7']"));
        preset.sendKeys(Keys.ENTER);
        browser.until(d -> "true".equals(d.findElement(By.cssSelector("[data-preset='7']")).getAttribute("aria-pressed")));
        memberRows();
        assertThat(browser.script("return document.activeElement.getAttribute('data-focus')")).isEqualTo("preset-7");
        browser.find(By.cssSelector("button[data-sort='member']")).sendKeys(Keys.ENTER);
        browser.until(d -> "ascending".equals(d.findElement(By.xpath("//button[@data-sort='member']/..")).getAttribute("aria-sort")));
        memberRows();
        assertThat(browser.script("return document.activeElement.getAttribute('data-focus')")).isEqualTo("sort-member");
    }

    @Test
    @Order(12)
    void aZeroBudgetWithUsageShowsAsOverAndAnEmptyAlertPercentIsNotSaved() {
        server.op("PUT", "/v1/orgs/" + ORG + "/budgets/members/" + BOB, "{\"credits\": \"0\"}");
        signIn(adminKey);
        open("budget");
        WebElement usage = browser.until(d -> d.findElements(By.cssSelector("tr[data-member='" + BOB + "'] [data-col='usage']")).stream().findFirst().orElse(null));
        assertThat(usage.getText()).contains("/ 0.00 (over a budget of 0)");
        assertThat(usage.findElement(By.cssSelector(".bar")).getAttribute("class")).contains("over");
        // Sorted by usage, most first: over a budget of 0 is more than any percent.
        browser.find(By.cssSelector("button[data-sort='usage']")).click();
        browser.until(d -> BOB.equals(d.findElements(By.cssSelector("[data-testid='members-table'] tbody tr")).get(0).getAttribute("data-member")));

        int alertBefore = api("/v1/orgs/" + ORG + "/budgets", adminKey).path("org").path("alertPercent").asInt();
        browser.find(By.cssSelector("[aria-controls='configure-panel']")).click();
        browser.find(By.id("org-alert")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        browser.find(By.xpath("//form[@aria-labelledby='configure-title']//button[text()='Save']")).click();
        browser.until(d -> d.findElement(By.cssSelector("form[aria-labelledby='configure-title'] [role='alert']")).getText()
                .contains("Alert % must be a whole number from 1 to 100"));
        assertThat(api("/v1/orgs/" + ORG + "/budgets", adminKey).path("org").path("alertPercent").asInt()).isEqualTo(alertBefore);

        // The member's own card says the same.
        server.op("PUT", "/v1/orgs/" + ORG + "/budgets/members/" + GRACE, "{\"credits\": \"0\"}");
        signIn(memberKey);
        open("me");
        browser.until(d -> "over a budget of 0".equals(text("budget-percent")));
        assertThat(browser.find(By.cssSelector("[data-testid='my-budget'] .bar")).getAttribute("class")).contains("over");
    }

    @Test
    @Order(13)
    void aBulkFileThatIsNotUtf8IsRefusedAsTheApiRefusesIt() throws IOException {
        openBulkManage();
        Path latin1 = Files.createTempFile("budgets-latin1", ".csv");
        Files.write(latin1, ("user,budget\r\n" + BOB + ",11\r\njos\u00e9@webco.example,42\r\n").getBytes(StandardCharsets.ISO_8859_1));
        browser.find(By.id("bulk-file")).sendKeys(latin1.toAbsolutePath().toString());
        // The file's bytes reach the server as they are: it names the byte (the browser's text decoding made it U+FFFD,
        // and the dry run then only warned of an unknown user).
        browser.until(d -> text("bulk-report").contains("1 errors"));
        assertThat(text("bulk-errors")).contains("0xE9");
        assertThat(browser.byTestId("bulk-save").isEnabled()).isFalse();
    }

    @Test
    @Order(14)
    void aLateCheckOfAnEarlierBulkFileDoesNotReportOnTheLaterOne() throws IOException {
        openBulkManage();
        delayFirstRequest("dryRun=true");
        Path earlier = Files.createTempFile("budgets-earlier", ".csv");
        Files.writeString(earlier, "user,budget\n" + BOB + ",222\n");
        Path later = Files.createTempFile("budgets-later", ".csv");
        Files.writeString(later, "user,budget\n" + BOB + ",lots\n");
        browser.find(By.id("bulk-file")).sendKeys(earlier.toAbsolutePath().toString());
        browser.find(By.id("bulk-file")).sendKeys(later.toAbsolutePath().toString());
        browser.until(d -> text("bulk-report").contains(later.getFileName().toString()));
        sleep(2500); // the earlier file's check has come back meanwhile
        assertThat(text("bulk-report")).contains(later.getFileName().toString()).doesNotContain(earlier.getFileName().toString());
        assertThat(browser.byTestId("bulk-save").isEnabled()).as("the later file has an error").isFalse();
    }

    /** Signed in as the admin, the Budget tab with Configure Budget and Bulk Manage open. */
    private static void openBulkManage() {
        signIn(adminKey);
        open("budget");
        browser.find(By.cssSelector("[aria-controls='configure-panel']")).click();
        browser.find(By.xpath("//button[text()='Bulk Manage']")).click();
    }

    /** The page's first request whose URL contains {@code urlPart} is answered 1.5 s late (the others at once). */
    private static void delayFirstRequest(String urlPart) {
        browser.script("""
                const [part] = arguments;
                const original = window.fetch;
                let first = true;
                window.fetch = (url, init) => {
                  if (first && String(url).includes(part)) {
                    first = false;
                    return new Promise((r) => setTimeout(r, 1500)).then(() => original(url, init));
                  }
                  return original(url, init);
                };""", urlPart);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
