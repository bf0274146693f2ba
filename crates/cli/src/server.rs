//! `serve`, `user` and `backup`: the commands that open the store.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use store::Role;

/// Environment variable naming the database, as `--database-url` does.
pub const DATABASE_URL_ENV: &str = "RETROSTRIDE_DATABASE_URL";
/// Environment variable naming the data folder for the default SQLite file.
pub const DATA_DIR_ENV: &str = "RETROSTRIDE_DATA_DIR";
/// The default SQLite file's name in the data folder.
pub const DEFAULT_DB_FILE: &str = "retrostride.db";

/// Where the data lives.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB; default: a SQLite file in the data
    /// folder ($RETROSTRIDE_DATA_DIR, else $XDG_DATA_HOME/retrostride, else
    /// ~/.local/share/retrostride).
    #[arg(long, env = DATABASE_URL_ENV, value_name = "URL", global = true)]
    database_url: Option<String>,
}

impl StoreArgs {
    /// The URL to open: the given one, or the default SQLite file.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        Ok(format!(
            "sqlite://{}",
            data_dir()?.join(DEFAULT_DB_FILE).display()
        ))
    }
}

fn data_dir() -> anyhow::Result<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = from_env(DATA_DIR_ENV) {
        return Ok(dir);
    }
    if let Some(dir) = from_env("XDG_DATA_HOME") {
        return Ok(dir.join("retrostride"));
    }
    if let Some(home) = from_env("HOME") {
        return Ok(home.join(".local/share/retrostride"));
    }
    bail!("no data folder: set {DATA_DIR_ENV} or pass --database-url sqlite://PATH")
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// Failed password checks, and sign-ups, allowed per client address before each further one
    /// must wait.
    #[arg(long, default_value_t = web::Config::default().auth_burst, value_name = "N")]
    auth_burst: u32,
    /// The first wait past that count, in seconds; it doubles with each further failure, up to
    /// 15 minutes.
    #[arg(long, default_value_t = web::Config::default().auth_refill_ms as f64 / 1000.0, value_name = "SECONDS")]
    auth_refill: f64,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Runs the server until SIGINT or SIGTERM.
pub fn serve(args: &ServeArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if !(args.auth_refill.is_finite() && args.auth_refill > 0.0 && args.auth_refill <= 3600.0) {
        bail!(
            "--auth-refill {} is not accepted: expected seconds above 0, at most 3600",
            args.auth_refill
        );
    }
    if args.auth_burst == 0 {
        bail!("--auth-burst 0 would refuse every sign-in: expected 1 or more");
    }
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();
    let url = args.store.url()?;
    let config = web::Config {
        auth_burst: args.auth_burst,
        auth_refill_ms: (args.auth_refill * 1000.0).round() as u64,
        ..web::Config::default()
    };
    runtime()?.block_on(async {
        let store = store::connect(&url)
            .await
            .with_context(|| format!("cannot open the store at {url}"))?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        writeln!(
            out,
            "Retrostride {} listening on http://{address} (store: {:?} at {})",
            env!("CARGO_PKG_VERSION"),
            store.backend(),
            store.location()
        )?;
        out.flush()?;
        let state = web::AppState::new(store, config);
        let shutdown = async {
            web::shutdown_signal().await;
            tracing::info!("shutting down: finishing requests in flight");
            // Keep-alive clients could hold the shutdown open forever: bound the wait.
            tokio::spawn(async {
                tokio::time::sleep(web::SHUTDOWN_GRACE).await;
                tracing::warn!("requests still open after the grace period: exiting");
                std::process::exit(0);
            });
        };
        web::serve(listener, state, shutdown)
            .await
            .context("the server stopped")?;
        Ok(())
    })
}

/// Arguments of `user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input with --password-stdin;
    /// otherwise a random one is made and printed once.
    Add {
        /// Email address.
        email: String,
        /// person, clinician or admin.
        #[arg(long, default_value = "person")]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role.
    Role {
        /// Email address.
        email: String,
        /// person, clinician or admin.
        role: Role,
    },
    /// List accounts.
    List,
}

/// Runs `user add|role|list`.
pub fn user(args: &UserArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let url = args.store.url()?;
    runtime()?.block_on(async {
        let store = store::connect(&url)
            .await
            .with_context(|| format!("cannot open the store at {url}"))?;
        match &args.command {
            UserCommand::Add {
                email,
                role,
                password_stdin,
            } => {
                let email = web::check_email(email).map_err(|e| anyhow::anyhow!(e.message))?;
                let (password, generated) = if *password_stdin {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    (line.trim_end_matches(['\r', '\n']).to_string(), false)
                } else {
                    (web::random_hex()[..24].to_string(), true)
                };
                web::check_password_rules(&password, &email).map_err(|m| anyhow::anyhow!(m))?;
                let state = web::AppState::new(store, web::Config::default());
                let user = web::create_account(&state, email, password.clone(), *role)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                writeln!(
                    out,
                    "created {} ({}) with id {}",
                    user.email, user.role, user.id
                )?;
                if generated {
                    writeln!(out, "password (shown once): {password}")?;
                }
            }
            UserCommand::Role { email, role } => {
                let user = store
                    .user_by_email(email)
                    .await?
                    .with_context(|| format!("no account has the email {email:?}"))?;
                store.set_role(user.id, *role).await?;
                writeln!(out, "{} is now {role}", user.email)?;
            }
            UserCommand::List => {
                for u in store.users().await? {
                    writeln!(out, "{}\t{}\t{}\t{}", u.id, u.email, u.role, u.created_at)?;
                }
            }
        }
        Ok(())
    })
}

/// Arguments of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The copy to write (must not exist yet).
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// Copies a SQLite database consistently, even while the server writes to it.
pub fn backup(args: &BackupArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let url = args.store.url()?;
    let Some(path) = url.strip_prefix("sqlite://") else {
        bail!("backup copies SQLite databases; for PostgreSQL use pg_dump");
    };
    if args.file.exists() {
        bail!("{} exists already: name a new file", args.file.display());
    }
    let source = PathBuf::from(path);
    if !source.exists() {
        bail!("there is no database at {}", source.display());
    }
    runtime()?.block_on(async {
        let store = store::sqlite::SqliteStore::open(&source)
            .await
            .with_context(|| format!("cannot open {}", source.display()))?;
        store
            .backup_to(&args.file)
            .await
            .with_context(|| format!("cannot write {}", args.file.display()))?;
        store.close().await;
        writeln!(
            out,
            "copied {} to {}",
            source.display(),
            args.file.display()
        )?;
        Ok(())
    })
}
