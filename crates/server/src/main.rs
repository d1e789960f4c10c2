//! `gatehouse-server`: serve the API and console, or fill a database with demo users.

use std::net::SocketAddr;
use std::path::PathBuf;

use std::io::BufRead;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use gatehouse_server::{console, demo, rescue, store, Config, Settings};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "gatehouse-server",
    version,
    about = "Gatehouse: user and access management, API and console"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Serve,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the console (the default).
    Serve(Box<Serve>),
    /// Add realistic, deterministic demo users (no administrator) to a database.
    Demo(Demo),
    /// Let an account sign in again: make it active and clear its sign-in block.
    Unlock(Unlock),
    /// Set an account's password (read from GATEHOUSE_NEW_PASSWORD or standard input)
    /// and end its sessions.
    SetPassword(SetPassword),
    /// Print the Content-Security-Policy header value for a console build, for a proxy
    /// or static host that serves the console instead of this server.
    Csp(Csp),
}

/// Which account a rescue command acts on.
#[derive(Args)]
struct Account {
    /// Database URL.
    #[arg(
        long,
        env = "GATEHOUSE_DATABASE",
        hide_env_values = true,
        default_value = "sqlite://./data/gatehouse.db"
    )]
    database: String,
    /// The account's email address.
    #[arg(long)]
    email: String,
    #[arg(long, default_value = gatehouse_api::DEFAULT_TENANT)]
    tenant: String,
}

#[derive(Args)]
struct Unlock {
    #[command(flatten)]
    account: Account,
    /// Also turn off two-step sign-in (a lost authenticator and no recovery codes).
    #[arg(long)]
    turn_off_mfa: bool,
}

#[derive(Args)]
struct SetPassword {
    #[command(flatten)]
    account: Account,
    /// Ask them to choose their own password at their next sign-in.
    #[arg(long)]
    require_change: bool,
}

#[derive(Args)]
struct Serve {
    /// Address to listen on.
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database URL: sqlite://path/to/file.db (created if missing).
    #[arg(
        long,
        env = "GATEHOUSE_DATABASE",
        hide_env_values = true,
        default_value = "sqlite://./data/gatehouse.db"
    )]
    database: String,
    /// Directory of the built console (`dist` when it exists).
    #[arg(long, env = "GATEHOUSE_STATIC_DIR")]
    static_dir: Option<PathBuf>,
    /// Email of the first administrator, created at start instead of using the setup link.
    #[arg(long, env = "GATEHOUSE_ADMIN_EMAIL", requires = "admin_password")]
    admin_email: Option<String>,
    /// Password of that administrator (prefer the environment variable over the flag).
    #[arg(
        long,
        env = "GATEHOUSE_ADMIN_PASSWORD",
        hide_env_values = true,
        requires = "admin_email"
    )]
    admin_password: Option<String>,
    /// The URL the outside world reaches this server at (behind a proxy, the proxy's):
    /// the setup link, links in mail, addresses given to identity providers.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL")]
    public_url: Option<String>,
    /// The console's URL when a static host or CDN serves it, not this server: the setup
    /// link, links in mail and the end of an SSO sign-in lead there instead.
    #[arg(long, env = "GATEHOUSE_CONSOLE_URL")]
    console_url: Option<String>,
    /// Origin of a console hosted elsewhere that may call this API (repeatable).
    #[arg(
        long = "cors-origin",
        env = "GATEHOUSE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Hours a sign-in lasts.
    #[arg(long, env = "GATEHOUSE_SESSION_HOURS", default_value_t = 12)]
    session_hours: u32,
    /// Failed sign-ins in a row, for one email address, that block it for a while.
    #[arg(long, env = "GATEHOUSE_MAX_FAILED_LOGINS", default_value_t = 10)]
    max_failed_logins: u32,
    /// Minutes the first such block lasts (each further one doubles, up to an hour).
    #[arg(long, env = "GATEHOUSE_SIGN_IN_BLOCK_MINUTES", default_value_t = 5)]
    sign_in_block_minutes: u32,
    /// Failed sign-ins from one client address within ten minutes that block it.
    #[arg(
        long,
        env = "GATEHOUSE_MAX_FAILED_LOGINS_PER_CLIENT",
        default_value_t = 100
    )]
    max_failed_logins_per_client: u32,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "GATEHOUSE_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// API requests this server works on at once; more are answered 503 with
    /// Retry-After at once (another server behind the load balancer may take them).
    /// Requests waiting for a password-hashing turn count too, so it is set well above
    /// what a sign-in flood parks there (the benchmark's 500).
    #[arg(
        long,
        env = "GATEHOUSE_MAX_CONCURRENT_REQUESTS",
        default_value_t = 1024
    )]
    max_concurrent_requests: usize,
    /// The server is behind a reverse proxy: take client addresses from X-Forwarded-For.
    #[arg(long, env = "GATEHOUSE_TRUST_PROXY")]
    trust_proxy: bool,
    /// SMTP server to send mail through: smtp://host:port (plain, a local relay),
    /// smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://user:pass@host:465.
    /// Without it, invites and reset links are shown to copy instead of mailed.
    #[arg(long, env = "GATEHOUSE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of mail.
    #[arg(
        long,
        env = "GATEHOUSE_MAIL_FROM",
        default_value = "Gatehouse <gatehouse@localhost>"
    )]
    mail_from: String,
}

#[derive(Args)]
struct Csp {
    /// The built console (`cargo xtask dist`), with the `config.json` it will be served with.
    #[arg(long, env = "GATEHOUSE_STATIC_DIR", default_value = "dist")]
    static_dir: PathBuf,
}

#[derive(Args)]
struct Demo {
    /// Database URL to fill.
    #[arg(
        long,
        env = "GATEHOUSE_DATABASE",
        hide_env_values = true,
        default_value = "sqlite://./data/gatehouse.db"
    )]
    database: String,
    /// How many users to add.
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// How many groups to add; users join one to three groups each.
    #[arg(long, default_value_t = 0)]
    groups: usize,
    /// Seed of the generator: the same seed gives the same people.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("GATEHOUSE_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Demo(demo)) => fill_demo(demo).await,
        Some(Command::Csp(args)) => {
            let policy = console::policy_for(&args.static_dir)
                .with_context(|| format!("reading {}/index.html", args.static_dir.display()))?;
            println!("{policy}");
            Ok(())
        }
        Some(Command::Unlock(args)) => {
            let db = rescue::open(&args.account.database).await?;
            let done = rescue::unlock(
                &db,
                &args.account.tenant,
                &args.account.email,
                args.turn_off_mfa,
            )
            .await?;
            println!("{done}");
            Ok(())
        }
        Some(Command::SetPassword(args)) => {
            let password = match std::env::var("GATEHOUSE_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("New password (one line):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let db = rescue::open(&args.account.database).await?;
            let done = rescue::set_password(
                &db,
                &args.account.tenant,
                &args.account.email,
                &password,
                args.require_change,
            )
            .await?;
            println!("{done}");
            Ok(())
        }
        Some(Command::Serve(serve)) => serve_until_stopped(*serve).await,
        None => serve_until_stopped(cli.serve).await,
    }
}

async fn fill_demo(args: Demo) -> anyhow::Result<()> {
    let db = store::connect(&args.database).await?;
    let started = std::time::Instant::now();
    let demo = demo::Demo {
        users: args.users,
        groups: args.groups,
        seed: args.seed,
    };
    demo::populate(&db, &demo).await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "Added {} demo users and {} groups to {} in {elapsed:.1} s.",
        args.users,
        args.groups,
        store::without_password(&args.database)
    );
    Ok(())
}

async fn serve_until_stopped(args: Serve) -> anyhow::Result<()> {
    let static_dir = args
        .static_dir
        .or_else(|| Some(console::default_dir()).filter(|d| d.join("index.html").exists()));
    if static_dir.is_none() {
        tracing::warn!("no console build found (dist/index.html); serving the API only");
    }
    let hsts = args
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let config = Config {
        listen: args.listen,
        database: args.database,
        static_dir,
        admin: args.admin_email.zip(args.admin_password),
        public_url: args.public_url,
        console_url: args.console_url,
        mail: gatehouse_server::mail::MailSettings {
            smtp_url: args.smtp_url,
            from: args.mail_from,
            ..Default::default()
        },
        cors_origins: args.cors_origins,
        settings: Settings {
            session_ttl: chrono::Duration::hours(i64::from(args.session_hours.max(1))),
            max_failed_logins: args.max_failed_logins.max(1),
            sign_in_block: chrono::Duration::minutes(i64::from(args.sign_in_block_minutes.max(1))),
            max_failed_logins_per_client: args.max_failed_logins_per_client.max(1),
            request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
            max_concurrent_requests: args.max_concurrent_requests.max(1),
            trust_proxy: args.trust_proxy,
            hsts,
            ..Settings::default()
        },
    };
    let server = gatehouse_server::start(config).await?;
    println!("Gatehouse is running at {}", server.url());
    match &server.setup_url {
        Some(link) => {
            println!("No administrator yet. Create one at this one-time link:\n\n    {link}\n")
        }
        None => println!("Sign in at {}/login", server.url()),
    }
    server.stop_on(stop_requested()).await
}

/// Ctrl-C, or SIGTERM (what systemd, Docker and Kubernetes send to stop a service): the
/// server then stops taking connections and finishes the requests in flight.
async fn stop_requested() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    println!("Stopping: finishing the requests in flight…");
}
