//! One store on two engines: SQLite (the default, one machine) and PostgreSQL (several
//! servers on one database).
//!
//! The store's SQL is written once, with `?` placeholders, and runs on either engine:
//! for PostgreSQL the placeholders become `$1, $2, …`. Values are bound as [`Arg`]s and
//! rows read through [`DbRow`], so a query function compiles once and serves both. The
//! few statements that differ by engine ask [`Db::engine`] or [`Conn::engine`].
//!
//! The names (`query`, `QueryBuilder`, `fetch_one`, `try_get`, …) are sqlx's, so the
//! store reads like sqlx code; only the types are this module's.

use std::borrow::{BorrowMut, Cow};
use std::fmt::Display;
use std::ops::{Deref, DerefMut};

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{ColumnIndex, Database, Decode, Row as _, TransactionManager, Type};
use uuid::Uuid;

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A pool of connections to the server's database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// One connection of the pool, for several statements in a row.
    pub async fn acquire(&self) -> sqlx::Result<Conn> {
        Ok(match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A transaction that holds the database's write lock from its first statement,
    /// so that read-then-write sequences of concurrent requests (on this server or
    /// another) take turns instead of interleaving. SQLite: `BEGIN IMMEDIATE`.
    /// PostgreSQL: one transaction-scoped advisory lock taken by every writer, waited
    /// for at most as long as SQLite's busy timeout.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        let mut conn = self.acquire().await?;
        match &mut conn {
            Conn::Sqlite(c) => {
                <Sqlite as Database>::TransactionManager::begin(
                    c,
                    Some(Cow::Borrowed("BEGIN IMMEDIATE")),
                )
                .await?
            }
            Conn::Postgres(c) => {
                // Read committed whatever the server's default: each statement after the
                // lock sees what the writers before committed (a snapshot taken before
                // waiting would not).
                <Postgres as Database>::TransactionManager::begin(
                    c,
                    Some(Cow::Borrowed("BEGIN ISOLATION LEVEL READ COMMITTED")),
                )
                .await?;
                let mut tx = Tx::open(conn);
                query("SET LOCAL lock_timeout = '5s'")
                    .execute(&mut *tx)
                    .await?;
                query("SELECT pg_advisory_xact_lock(?)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                return Ok(tx);
            }
        }
        Ok(Tx::open(conn))
    }

    /// Closes every connection (waiting for those in use).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// The advisory lock every PostgreSQL write transaction takes (any fixed number; this
/// one spells "gatehous" in ASCII).
const WRITE_LOCK: i64 = 0x6761_7465_686f_7573;

/// A connection taken from the pool; returned to it when dropped.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// A savepoint inside this connection's transaction: its writes can be undone
    /// alone (dropped without [`Savepoint::commit`]) while the transaction goes on.
    pub async fn begin(&mut self) -> sqlx::Result<Savepoint<'_>> {
        match self {
            Conn::Sqlite(c) => <Sqlite as Database>::TransactionManager::begin(c, None).await?,
            Conn::Postgres(c) => <Postgres as Database>::TransactionManager::begin(c, None).await?,
        }
        Ok(Savepoint::open(self))
    }

    /// Commits the innermost transaction or savepoint.
    async fn commit_level(&mut self) -> sqlx::Result<()> {
        match self {
            Conn::Sqlite(c) => <Sqlite as Database>::TransactionManager::commit(c).await,
            Conn::Postgres(c) => <Postgres as Database>::TransactionManager::commit(c).await,
        }
    }

    /// Rolls back the innermost transaction or savepoint.
    async fn rollback_level(&mut self) -> sqlx::Result<()> {
        match self {
            Conn::Sqlite(c) => <Sqlite as Database>::TransactionManager::rollback(c).await,
            Conn::Postgres(c) => <Postgres as Database>::TransactionManager::rollback(c).await,
        }
    }

    /// Queues the innermost level's rollback before the connection's next use (for
    /// `Drop`, which cannot wait), as sqlx's own transactions do.
    fn start_rollback(&mut self) {
        match self {
            Conn::Sqlite(c) => <Sqlite as Database>::TransactionManager::start_rollback(c),
            Conn::Postgres(c) => <Postgres as Database>::TransactionManager::start_rollback(c),
        }
    }
}

/// A transaction, or a savepoint inside one, on the connection it holds (`Conn`) or
/// borrows (`&mut Conn`). It derefs to that connection, so a store function takes
/// `&mut Conn` whether or not it runs inside one. Dropped without `commit`, it rolls
/// back.
pub struct Transaction<C: BorrowMut<Conn>> {
    conn: C,
    open: bool,
}

/// A write transaction (see [`Db::begin_write`]).
pub type Tx = Transaction<Conn>;

/// A savepoint (see [`Conn::begin`]).
pub type Savepoint<'c> = Transaction<&'c mut Conn>;

impl<C: BorrowMut<Conn>> Transaction<C> {
    fn open(conn: C) -> Self {
        Self { conn, open: true }
    }

    pub async fn commit(mut self) -> sqlx::Result<()> {
        self.conn.borrow_mut().commit_level().await?;
        self.open = false;
        Ok(())
    }

    pub async fn rollback(mut self) -> sqlx::Result<()> {
        self.conn.borrow_mut().rollback_level().await?;
        self.open = false;
        Ok(())
    }
}

impl<C: BorrowMut<Conn>> Drop for Transaction<C> {
    fn drop(&mut self) {
        if self.open {
            self.conn.borrow_mut().start_rollback();
        }
    }
}

impl<C: BorrowMut<Conn>> Deref for Transaction<C> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.borrow()
    }
}

impl<C: BorrowMut<Conn>> DerefMut for Transaction<C> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.borrow_mut()
    }
}

/// Where a statement runs: the pool (any free connection) or one connection.
pub enum On<'a> {
    SqlitePool(&'a SqlitePool),
    PostgresPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl<'a> From<&'a Db> for On<'a> {
    fn from(db: &'a Db) -> Self {
        match db {
            Db::Sqlite(pool) => On::SqlitePool(pool),
            Db::Postgres(pool) => On::PostgresPool(pool),
        }
    }
}

impl<'a> From<&'a SqlitePool> for On<'a> {
    fn from(pool: &'a SqlitePool) -> Self {
        On::SqlitePool(pool)
    }
}

impl<'a> From<&'a PgPool> for On<'a> {
    fn from(pool: &'a PgPool) -> Self {
        On::PostgresPool(pool)
    }
}

impl<'a> From<&'a mut Conn> for On<'a> {
    fn from(conn: &'a mut Conn) -> Self {
        match conn {
            Conn::Sqlite(c) => On::Sqlite(c),
            Conn::Postgres(c) => On::Postgres(c),
        }
    }
}

/// A bound value, typed even when null (PostgreSQL wants a null's type).
#[derive(Clone, Debug)]
pub enum Arg {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Uuid(Option<Uuid>),
    Bytes(Option<Vec<u8>>),
}

/// A Rust value that can be bound to a statement.
pub trait Bind {
    fn into_arg(self) -> Arg;
    /// The null of this type, for `None`.
    fn null() -> Arg;
}

macro_rules! bind_as {
    ($variant:ident: $($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl Bind for $t {
            fn into_arg(self) -> Arg {
                let $v = self;
                Arg::$variant(Some($e))
            }
            fn null() -> Arg {
                Arg::$variant(None)
            }
        }
    )*};
}

bind_as!(Int:
    i64 => |v| v,
    i32 => |v| i64::from(v),
    u32 => |v| i64::from(v),
    i16 => |v| i64::from(v),
    u64 => |v| i64::try_from(v).unwrap_or(i64::MAX),
    usize => |v| i64::try_from(v).unwrap_or(i64::MAX),
);
bind_as!(Float: f64 => |v| v);
bind_as!(Bool: bool => |v| v);
bind_as!(Text:
    String => |v| v,
    &str => |v| v.to_owned(),
    Cow<'_, str> => |v| v.into_owned(),
);
bind_as!(Uuid: Uuid => |v| v);
bind_as!(Bytes:
    Vec<u8> => |v| v,
    &[u8] => |v| v.to_vec(),
);

impl<const N: usize> Bind for [u8; N] {
    fn into_arg(self) -> Arg {
        Arg::Bytes(Some(self.to_vec()))
    }
    fn null() -> Arg {
        Arg::Bytes(None)
    }
}

/// A reference binds its value.
impl<T: Bind + Clone> Bind for &T {
    fn into_arg(self) -> Arg {
        self.clone().into_arg()
    }
    fn null() -> Arg {
        T::null()
    }
}

impl<T: Bind> Bind for Option<T> {
    fn into_arg(self) -> Arg {
        match self {
            Some(value) => value.into_arg(),
            None => T::null(),
        }
    }
    fn null() -> Arg {
        T::null()
    }
}

impl Bind for Arg {
    fn into_arg(self) -> Arg {
        self
    }
    fn null() -> Arg {
        Arg::Text(None)
    }
}

/// A type a column can be read as, on either engine.
pub trait Column:
    Sized + for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Column for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A result row of either engine.
pub enum DbRow {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for DbRow {
    fn from(row: SqliteRow) -> Self {
        DbRow::Sqlite(row)
    }
}

impl From<PgRow> for DbRow {
    fn from(row: PgRow) -> Self {
        DbRow::Postgres(row)
    }
}

impl DbRow {
    /// The column named (or numbered) `index`, as a `T`.
    pub fn try_get<T, I>(&self, index: I) -> sqlx::Result<T>
    where
        T: Column,
        I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>,
    {
        match self {
            DbRow::Sqlite(row) => row.try_get(index),
            DbRow::Postgres(row) => row.try_get(index),
        }
    }
}

/// A type a whole row can be read as (tuples of columns).
pub trait FromDbRow: Sized {
    fn from_db_row(row: &DbRow) -> sqlx::Result<Self>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Column),+> FromDbRow for ($($t,)+) {
            fn from_db_row(row: &DbRow) -> sqlx::Result<Self> {
                Ok(($(row.try_get::<$t, usize>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);

/// What a statement changed.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement with its bound values.
#[derive(Clone, Debug)]
pub struct Query {
    sql: String,
    args: Vec<Arg>,
}

/// A statement written with `?` placeholders.
pub fn query(sql: impl AsRef<str>) -> Query {
    Query {
        sql: sql.as_ref().to_owned(),
        args: Vec::new(),
    }
}

/// A statement whose rows are read as their first column, a `T`.
pub fn query_scalar<T: Column>(sql: impl AsRef<str>) -> TypedQuery<T> {
    TypedQuery {
        query: query(sql),
        read: first_column,
    }
}

/// A statement whose rows are read as `T`s (tuples of columns).
pub fn query_as<T: FromDbRow>(sql: impl AsRef<str>) -> TypedQuery<T> {
    TypedQuery {
        query: query(sql),
        read: T::from_db_row,
    }
}

fn first_column<T: Column>(row: &DbRow) -> sqlx::Result<T> {
    row.try_get(0)
}

/// `sql` in PostgreSQL's dialect, outside quotes: `$1, $2, …` for `?` (`?3` keeps its
/// number); `ILIKE` for `LIKE` (SQLite's LIKE ignores ASCII case, PostgreSQL's does
/// not); and no unary `+` before a column (`+seq`: SQLite's way of keeping its planner
/// off an index, an error in PostgreSQL).
fn to_postgres(sql: &str) -> Cow<'_, str> {
    if !sql.contains(['?', '+']) && !sql.contains("LIKE") {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quote = None;
    let mut n = 0;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, next)| next);
        let after_word = out.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '?') if next.is_some_and(|d| d.is_ascii_digit()) => {
                out.push('$');
                continue;
            }
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            (None, 'L') if !after_word && sql[i..].starts_with("LIKE ") => {
                out.push('I');
            }
            (None, '+')
                if out.ends_with([' ', '(']) && next.is_some_and(|d| d.is_ascii_lowercase()) =>
            {
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    Cow::Owned(out)
}

impl Query {
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.into_arg());
        self
    }

    fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, SqliteArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for arg in &self.args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Float(v) => q.bind(*v),
                Arg::Bool(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_deref()),
                Arg::Uuid(v) => q.bind(*v),
                Arg::Bytes(v) => q.bind(v.as_deref()),
            };
        }
        q
    }

    fn postgres<'q>(&'q self, sql: &'q str) -> sqlx::query::Query<'q, Postgres, PgArguments> {
        let mut q = sqlx::query(sql);
        for arg in &self.args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Float(v) => q.bind(*v),
                Arg::Bool(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_deref()),
                Arg::Uuid(v) => q.bind(*v),
                Arg::Bytes(v) => q.bind(v.as_deref()),
            };
        }
        q
    }
}

/// Runs `$call` (a method of sqlx's `Query`) on whichever engine `$on` is, mapping its
/// answer with `$map`.
macro_rules! run {
    ($query:expr, $on:expr, $call:ident, $map:expr) => {{
        let query = &$query;
        match $on.into() {
            On::SqlitePool(pool) => query.sqlite().$call(pool).await.map($map),
            On::Sqlite(conn) => query.sqlite().$call(conn).await.map($map),
            On::PostgresPool(pool) => {
                let sql = to_postgres(&query.sql);
                query.postgres(&sql).$call(pool).await.map($map)
            }
            On::Postgres(conn) => {
                let sql = to_postgres(&query.sql);
                query.postgres(&sql).$call(conn).await.map($map)
            }
        }
    }};
}

fn done(rows_affected: u64) -> Done {
    Done { rows_affected }
}

impl Query {
    pub async fn execute<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<Done> {
        run!(self, on, execute, |r| done(r.rows_affected()))
    }

    pub async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<DbRow> {
        run!(self, on, fetch_one, DbRow::from)
    }

    pub async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<Option<DbRow>> {
        run!(self, on, fetch_optional, |row| row.map(DbRow::from))
    }

    pub async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<Vec<DbRow>> {
        run!(self, on, fetch_all, |rows| rows
            .into_iter()
            .map(DbRow::from)
            .collect())
    }

    /// The rows one by one, as the database sends them (for exports too large to hold).
    /// Read on a task of its own from `db`'s pool, a few rows ahead of the reader.
    pub fn fetch(self, db: &Db) -> BoxStream<'static, sqlx::Result<DbRow>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(64);
        let db = db.clone();
        tokio::spawn(async move {
            macro_rules! forward {
                ($rows:expr) => {{
                    let mut rows = $rows;
                    while let Some(row) = rows.next().await {
                        if sender.send(row.map(DbRow::from)).await.is_err() {
                            break;
                        }
                    }
                }};
            }
            match &db {
                Db::Sqlite(pool) => forward!(self.sqlite().fetch(pool)),
                Db::Postgres(pool) => {
                    let sql = to_postgres(&self.sql);
                    forward!(self.postgres(&sql).fetch(pool))
                }
            }
        });
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            let row = receiver.recv().await?;
            Some((row, receiver))
        })
        .boxed()
    }
}

/// A statement whose rows are read as `T`s: by [`query_scalar`] (the first column) or
/// [`query_as`] (the whole row).
pub struct TypedQuery<T> {
    query: Query,
    read: fn(&DbRow) -> sqlx::Result<T>,
}

impl<T> TypedQuery<T> {
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<T> {
        (self.read)(&self.query.fetch_one(on).await?)
    }

    pub async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<Option<T>> {
        match self.query.fetch_optional(on).await? {
            Some(row) => (self.read)(&row).map(Some),
            None => Ok(None),
        }
    }

    pub async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> sqlx::Result<Vec<T>> {
        let read = self.read;
        self.query.fetch_all(on).await?.iter().map(read).collect()
    }
}

/// A statement put together piece by piece, values bound as they are pushed.
#[derive(Clone, Debug, Default)]
pub struct QueryBuilder {
    sql: String,
    args: Vec<Arg>,
}

impl QueryBuilder {
    pub fn new(init: impl Into<String>) -> Self {
        Self {
            sql: init.into(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.sql, "{sql}");
        self
    }

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.sql.push('?');
        self.args.push(value.into_arg());
        self
    }

    /// Pushes that put `separator` between each other (not before the first).
    pub fn separated<S: Display>(&mut self, separator: S) -> Separated<'_, S> {
        Separated {
            builder: self,
            separator,
            first: true,
        }
    }

    /// ` VALUES (…), (…)`: one parenthesised row per item, its values pushed by `row`.
    pub fn push_values<I, F>(&mut self, items: I, mut row: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Separated<'_, &'static str>, I::Item),
    {
        self.push(" VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push("(");
            row(self.separated(", "), item);
            self.push(")");
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn build(&self) -> Query {
        Query {
            sql: self.sql.clone(),
            args: self.args.clone(),
        }
    }

    pub fn build_query_scalar<T: Column>(&self) -> TypedQuery<T> {
        TypedQuery {
            query: self.build(),
            read: first_column,
        }
    }

    pub fn build_query_as<T: FromDbRow>(&self) -> TypedQuery<T> {
        TypedQuery {
            query: self.build(),
            read: T::from_db_row,
        }
    }
}

/// See [`QueryBuilder::separated`].
pub struct Separated<'b, S> {
    builder: &'b mut QueryBuilder,
    separator: S,
    first: bool,
}

impl<S: Display> Separated<'_, S> {
    fn separate(&mut self) {
        if !self.first {
            self.builder.push(&self.separator);
        }
        self.first = false;
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        self.separate();
        self.builder.push(sql);
        self
    }

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.separate();
        self.builder.push_bind(value);
        self
    }

    pub fn push_unseparated(&mut self, sql: impl Display) -> &mut Self {
        self.builder.push(sql);
        self
    }

    pub fn push_bind_unseparated(&mut self, value: impl Bind) -> &mut Self {
        self.builder.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_and_like_ignores_case_outside_quotes() {
        assert_eq!(
            to_postgres("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(
            to_postgres("SELECT 'LIKE ' FROM t WHERE name LIKE ? AND UNLIKE = 1"),
            "SELECT 'LIKE ' FROM t WHERE name ILIKE $1 AND UNLIKE = 1"
        );
        assert_eq!(
            to_postgres("SELECT a + 1 FROM t WHERE +seq IN (?2, ?1) AND (+id = ?2)"),
            "SELECT a + 1 FROM t WHERE seq IN ($2, $1) AND (id = $2)"
        );
        assert!(matches!(to_postgres("SELECT 1"), Cow::Borrowed(_)));
    }
}
