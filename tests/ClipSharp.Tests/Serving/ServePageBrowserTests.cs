using ClipSharp.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Serving;

/// <summary>
/// The web page in a real headless Chromium (Debian's, driven by Playwright; Playwright's own browser download is
/// never used): type a query and see result cards, open an item and ask for more like it, pick an image file and drop
/// another, each answered with cards; a screenshot is saved under the test output for a person to look at.
/// </summary>
public class ServePageBrowserTests(ServingFixture fx, ITestOutputHelper output) : IClassFixture<ServingFixture>
{
    [ChromiumFact]
    public async Task SearchByTextImageAndDropShowsResultCards()
    {
        await using var server = await fx.Start();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = HeadlessChromium.Executable, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"{m.Text} ({m.Location})"); };
        await page.GotoAsync(server.Address.ToString());
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync($"{ServingFixture.ImageCount} items indexed");

        // text query → one card per indexed image (k = 24 > 8), thumbnails loaded
        await page.FillAsync("#query", "a red circle");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".card")).ToHaveCountAsync(ServingFixture.ImageCount);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("“a red circle”");
        await Assertions.Expect(page.Locator("#more")).ToBeHiddenAsync();   // every item is on the page already
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)");
        var shot = Path.Combine(AppContext.BaseDirectory, "screenshots", "serve-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");

        // click-through to metadata, then "more like this": the item itself comes first
        var firstId = await page.Locator(".card").Nth(2).GetAttributeAsync("data-id");
        await page.Locator(".card").Nth(2).ClickAsync();
        await Assertions.Expect(page.Locator("#details")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#detail-meta")).ToContainTextAsync(firstId!);
        await page.ClickAsync("#like-this");
        await Assertions.Expect(page.Locator(".card").First).ToHaveAttributeAsync("data-id", firstId!);

        // an image picked with the file input finds its own file first
        await page.SetInputFilesAsync("#file", fx.Images[4]);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("image img4.png");
        await Assertions.Expect(page.Locator(".card .path").First).ToHaveTextAsync("images/img4.png");

        // an image dropped on the drop zone (a DataTransfer carrying the file's bytes)
        var b64 = Convert.ToBase64String(File.ReadAllBytes(fx.Images[6]));
        await page.EvaluateAsync(@"(b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
            document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }", b64);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("image dropped.png");
        await Assertions.Expect(page.Locator(".card .path").First).ToHaveTextAsync("images/img6.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetDirectoryName(shot)!, "serve-page-dropped.png"), FullPage = true });

        // a shareable query URL runs its search on load
        await page.GotoAsync(new Uri(server.Address, "/?q=a+blue+square").ToString());
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("“a blue square”");
        await Assertions.Expect(page.Locator(".card")).ToHaveCountAsync(ServingFixture.ImageCount);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
