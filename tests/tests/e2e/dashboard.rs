//! The web dashboard, driven in a real browser (Debian's Chromium through chromedriver,
//! by fantoccini) against a real gatewayd and the mock: operators sign in with an admin
//! key, see the pool, act on it (and see the audit entry), key holders see their own data
//! only, and the cookie, CSRF and header rules hold. Ignored where Chromium is missing;
//! `.ci/run` installs it and runs these explicitly. With `DASHBOARD_SCREENSHOTS=DIR` the
//! test saves a 1280×800 screenshot of each page there (how docs/dashboard/ is made).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use gateway_tests::harness::Daemon;
use gateway_tests::mock::{MockConfig, MockHandle};
use serde_json::json;

use crate::support::{claude_body, ten_tokens_ok, World};

/// chromedriver on a free port, and a headless Chromium session through it.
struct Browser {
    driver: Child,
    client: Client,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn browser() -> Browser {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian: apt install chromium chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while World::client()
        .get(format!("{url}/status"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
    ];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}});
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&url)
        .await
        .expect("a Chromium session");
    resize(&client, 1280, 800).await;
    Browser {
        driver,
        client,
        _profile: profile,
    }
}

/// Makes the page (not the window, which adds the browser's frame) `width` × `height`.
async fn resize(client: &Client, width: u32, height: u32) {
    let frame: serde_json::Value = client
        .execute("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];", vec![])
        .await
        .unwrap();
    let (w, h) = (
        frame[0].as_u64().unwrap_or(0) as u32,
        frame[1].as_u64().unwrap_or(0) as u32,
    );
    client.set_window_size(width + w, height + h).await.unwrap();
}

/// Saves a screenshot of the current page as `name`.png when asked to.
async fn snap(client: &Client, name: &str) {
    let Ok(dir) = std::env::var("DASHBOARD_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

async fn sign_in(client: &Client, base: &str, secret: &str) {
    client.goto(&format!("{base}/ui/")).await.unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/ui/login"));
    client
        .find(Locator::Css("#key"))
        .await
        .unwrap()
        .send_keys(secret)
        .await
        .unwrap();
    click(client, "form[action='/ui/login'] button").await;
}

/// The page's main text.
async fn text(client: &Client) -> String {
    text_of(client, "main").await
}

/// The text of the first element matching `css`, read again while the page is being
/// replaced under it (a form's answer, or a live page reloading itself).
async fn text_of(client: &Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let read = async { client.find(Locator::Css(css)).await?.text().await };
        match read.await {
            Ok(text) => return text,
            Err(e) => assert!(Instant::now() < deadline, "{css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many elements match `css` once the page holds `expected` of them (or, after the
/// deadline, what it holds).
async fn count(client: &Client, css: &str, expected: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = client
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |all| all.len());
        if found == expected || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Which document the window shows (its time origin changes with every page load).
async fn document(client: &Client) -> Option<f64> {
    let script = "return document.readyState === 'complete' ? performance.timeOrigin : null;";
    client.execute(script, vec![]).await.ok()?.as_f64()
}

/// Clicks `css` and waits until the page the click leads to has loaded.
async fn click(client: &Client, css: &str) {
    let before = document(client).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let clicked = async { client.find(Locator::Css(css)).await?.click().await };
        match clicked.await {
            Ok(()) => break,
            Err(e) => assert!(Instant::now() < deadline, "{css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    loop {
        let now = document(client).await;
        if now.is_some() && now != before {
            return;
        }
        assert!(Instant::now() < deadline, "no page after clicking {css}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn send(daemon: &Daemon, secret: &str) {
    ten_tokens_ok(&daemon.url, secret).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs it"]
async fn operators_act_on_the_pool_and_key_holders_see_only_their_own() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start_with_config(
        "[balance]\nsticky_sessions = false\n\
         [[prices]]\nmodel = \"claude-sonnet-mock\"\ninput = 3.0\noutput = 15.0\n",
    );
    let first = daemon.add_account("first", "claude-code", "sk-first", &mock.url(), &[]);
    daemon.add_account("second", "claude-code", "sk-second", &mock.url(), &[]);
    let (admin_id, admin) = daemon.create_key("ops", &["--permissions", "read,write,admin"]);
    let (dev_id, dev) = daemon.create_key("dev", &["--rpm", "100", "--budget-usd", "day=5"]);
    let (_, other) = daemon.create_key("someone-else", &[]);
    for _ in 0..4 {
        send(&daemon, &dev).await;
    }
    send(&daemon, &other).await;
    let b = browser().await;
    let c = &b.client;
    let base = daemon.url.clone();

    // The operator signs in; the session cookie is HttpOnly and SameSite=Strict.
    sign_in(c, &base, &admin).await;
    let overview = text(c).await;
    assert!(
        overview.contains("Overview") && overview.contains("in flight"),
        "{overview}"
    );
    let card = |window: &'static str, label: &'static str| {
        let c = c.clone();
        async move {
            let css = format!("[data-window='{window}'] [data-label='{label}'] .value");
            text_of(&c, &css).await
        }
    };
    // Rollups are written a flush after the answers: the page reloads until they are in.
    let deadline = Instant::now() + Duration::from_secs(10);
    while card("last-hour", "requests").await != "5" {
        assert!(
            Instant::now() < deadline,
            "the overview never counted the 5 requests"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.refresh().await.unwrap();
    }
    assert_eq!(card("last-7-days", "requests").await, "5");
    assert_eq!(card("last-hour", "errors").await, "0");
    let cookie = c.get_named_cookie("gw_session").await.unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(format!("{:?}", cookie.same_site()), "Some(Strict)");
    snap(c, "overview").await;

    // Accounts: disable the first from the browser; traffic stops going to it.
    c.goto(&format!("{base}/ui/accounts")).await.unwrap();
    let row = format!("tr[data-id='{first}']");
    click(c, &format!("{row} button[value='disable']")).await;
    let state = text_of(c, &format!("{row} .state")).await;
    assert_eq!(state, "disabled");
    snap(c, "accounts").await;
    mock.clear_requests();
    for _ in 0..4 {
        send(&daemon, &dev).await;
    }
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.account.as_deref() == Some("sk-second")),
        "no traffic to a disabled account"
    );

    // The account's page shows the transition; its audit entry names the admin key.
    c.goto(&format!("{base}/ui/accounts/{first}"))
        .await
        .unwrap();
    let history = text_of(c, "#history").await;
    assert!(history.contains("disabled"), "{history}");
    snap(c, "account").await;
    c.goto(&format!("{base}/ui/audit")).await.unwrap();
    let audit = text(c).await;
    assert!(
        audit.contains(&format!("key:{admin_id}")) && audit.contains("verifies"),
        "{audit}"
    );
    assert!(audit.contains("status: active → inactive"), "{audit}");
    snap(c, "audit").await;
    c.goto(&format!("{base}/ui/keys")).await.unwrap();
    assert!(text(c).await.contains("someone-else"));
    let dev_row = format!("tr[data-id='{dev_id}']");
    let today = text_of(c, &dev_row).await;
    assert!(
        today.contains("8 req"),
        "the key's 8 requests today: {today}"
    );
    snap(c, "keys").await;

    // A key made in the browser: its secret is shown once and works; revoked, it stops.
    c.find(Locator::Css("form.create input[name='name']"))
        .await
        .unwrap()
        .send_keys("from-browser")
        .await
        .unwrap();
    c.find(Locator::Css("form.create input[name='rpm']"))
        .await
        .unwrap()
        .send_keys("5")
        .await
        .unwrap();
    click(c, "form.create button").await;
    let secret = text_of(c, "#secret").await;
    assert!(secret.starts_with("gwk_"), "{secret}");
    daemon.remember(&secret);
    send(&daemon, &secret).await;
    let made = daemon.ctl_json(&["key", "show", "from-browser"]);
    assert_eq!(made["requests_per_minute"], 5);
    c.goto(&format!("{base}/ui/keys")).await.unwrap();
    assert!(
        !c.source().await.unwrap().contains(&secret),
        "shown once only"
    );
    let made_row = format!("tr[data-id='{}']", made["id"].as_str().unwrap());
    click(c, &format!("{made_row} button[value='revoke']")).await;
    let refused = World::client()
        .post(format!("{}/v1/messages", daemon.url))
        .header("x-api-key", &secret)
        .json(&claude_body(false, "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "revoked from the browser");
    c.goto(&format!("{base}/ui/log?key={dev_id}"))
        .await
        .unwrap();
    let log = text(c).await;
    assert!(
        log.contains(&dev_id) && !log.contains("someone-else"),
        "{log}"
    );
    snap(c, "requests").await;
    // Filtered by model and status: all ten answered requests, once the log holds them
    // (the recorder writes in rounds, so the last one can lag the page before).
    let served = 10;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logged = daemon.ctl_json(&["log", "tail", "--limit", "1000"]);
        let in_log = logged
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["status"] == 200 && e["model"] == "claude-sonnet-mock")
            .count();
        if in_log == served {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the log holds {in_log} of {served}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.goto(&format!(
        "{base}/ui/log?model=claude-sonnet-mock&status=200"
    ))
    .await
    .unwrap();
    assert_eq!(count(c, "table#log tbody tr", served).await, served);
    c.goto(&format!("{base}/ui/log?status=500")).await.unwrap();
    assert_eq!(count(c, "table#log tbody tr", 0).await, 0);

    // Signed out, then in as a plain key: its own usage only; operator pages are refused.
    click(c, "form.signout button").await;
    sign_in(c, &base, &dev).await;
    let own = text(c).await;
    assert!(
        own.contains("My usage") && own.contains("8 requests"),
        "{own}"
    );
    assert!(
        own.contains("requests_per_minute") && own.contains("day"),
        "{own}"
    );
    assert!(
        !own.contains("someone-else") && !own.contains(&admin_id),
        "{own}"
    );
    snap(c, "my-usage").await;
    // At phone width the page fits (wide tables scroll inside their own box).
    resize(c, 390, 844).await;
    c.refresh().await.unwrap();
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "no sideways scrolling at phone width"
    );
    snap(c, "my-usage-phone").await;
    resize(c, 1280, 800).await;
    c.goto(&format!("{base}/ui/accounts")).await.unwrap();
    assert!(text(c).await.contains("for operators"));
    let page = c.source().await.unwrap();
    assert!(
        !page.contains(&dev) && !page.contains(&admin),
        "no secret in a page"
    );
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_need_the_sessions_csrf_token_and_pages_forbid_framing_and_inline_script() {
    let mock = MockHandle::start(MockConfig::default());
    let daemon = Daemon::start();
    let first = daemon.add_account("first", "claude-code", "sk-first", &mock.url(), &[]);
    let (_, admin) = daemon.create_key("ops", &["--permissions", "read,write,admin"]);
    let (_, dev) = daemon.create_key("dev", &[]);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = &daemon.url;
    let login = http.get(format!("{base}/ui/login")).send().await.unwrap();
    let h = login.headers();
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    let cookie_of = |secret: &str| {
        let http = http.clone();
        let url = format!("{base}/ui/login");
        let secret = secret.to_owned();
        async move {
            let signed = http
                .post(url)
                .form(&[("key", secret.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(signed.status(), 303);
            let set = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Strict"),
                "{set}"
            );
            set.split(';').next().unwrap().to_owned()
        }
    };
    let session = cookie_of(&admin).await;
    let page = http
        .get(format!("{base}/ui/accounts"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let act = |cookie: String, token: &str, origin: &str| {
        http.post(format!("{base}/ui/accounts/{first}/disable"))
            .header("cookie", cookie)
            .header("origin", origin)
            .form(&[("csrf", token)])
            .send()
    };
    let own = base.clone();
    assert_eq!(
        act(session.clone(), "forged", &own).await.unwrap().status(),
        403,
        "no CSRF token"
    );
    assert_eq!(
        act(session.clone(), &csrf, "http://evil.example")
            .await
            .unwrap()
            .status(),
        403,
        "another origin"
    );
    let plain = cookie_of(&dev).await;
    assert_eq!(
        act(plain, &csrf, &own).await.unwrap().status(),
        403,
        "not an admin"
    );
    assert_eq!(
        daemon.ctl_json(&["account", "show", &first])["status"],
        "active",
        "nothing changed"
    );
    assert_eq!(act(session, &csrf, &own).await.unwrap().status(), 303);
    assert_eq!(
        daemon.ctl_json(&["account", "show", &first])["status"],
        "inactive"
    );

    // A wrong key is refused and counts toward the address's lock-out.
    let bad = http
        .post(format!("{base}/ui/login"))
        .form(&[("key", "gwk_wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let body = bad.text().await.unwrap();
    assert!(!body.contains("gwk_wrong"), "the key is never echoed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_can_live_on_its_own_address_or_be_off() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let daemon =
        Daemon::start_with_config(&format!("[dashboard]\nlisten = \"127.0.0.1:{port}\"\n"));
    let status =
        |url: String| async move { World::client().get(url).send().await.unwrap().status() };
    assert_eq!(
        status(format!("{}/ui/login", daemon.url)).await,
        404,
        "not on the data plane"
    );
    assert_eq!(
        status(format!("http://127.0.0.1:{port}/ui/login")).await,
        200
    );
    assert_eq!(
        status(format!("http://127.0.0.1:{port}/v1/messages")).await,
        404,
        "nothing else there"
    );
    let off = Daemon::start_with_config("[dashboard]\nenabled = false\n");
    assert_eq!(status(format!("{}/ui/login", off.url)).await, 404);
}
