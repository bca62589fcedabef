// Generated from the Rust types by `cargo run -p canopy-cli -- bindings`. Do not edit.

export type ErrorCode = "validation" | "keychain_unavailable" | "pos_auth_failed" | "pos_permission_missing" | "pos_unreachable" | "rate_limited" | "conflict" | "not_found" | "cancelled" | "disk_full" | "internal";

export type AppError = { 
/**
 * The kind of failure.
 */
code: ErrorCode, 
/**
 * What happened, in the user's words. Never contains a secret.
 */
message: string, 
/**
 * What the user can do about it.
 */
hint?: string, };

export type Integration = "posabit" | "greenbits";

export type Stream = "customers" | "patients" | "sales" | "coupons";

export type SyncState = "running" | "finished" | "failed" | "cancelled";

export type Trigger = "manual" | "schedule";

export type SmsConsent = "none" | "requested" | "opted_in" | "opted_out";

export type ConsentChannel = "sms" | "email";

export type ConsentEventKind = "requested" | "confirmed" | "opted_in" | "opted_out" | "resubscribed" | "held" | "ignored";

export type ConsentSource = "signup" | "sms_reply" | "import" | "split" | "suppression" | "review" | "posabit" | "greenbits" | "sms_opt_in:posabit" | "sms_opt_in:greenbits";

export type PersonaSource = "posabit" | "greenbits" | "loyalty" | "import";

export type LedgerKind = "earn" | "redeem" | "adjust" | "import" | "mirror" | "expire";

export type PermissionCheck = { 
/**
 * The POS's name for it, e.g. `enhanced_customer_data`.
 */
key: string, 
/**
 * The seeds' label, e.g. "Enhanced Customer Data Access".
 */
label: string, 
/**
 * Whether the key carries it.
 */
granted: boolean, 
/**
 * What to do when it is missing.
 */
remedy?: string, };

export type Credential = { 
/**
 * Canopy's id for it.
 */
id: string, 
/**
 * Which POS it is for.
 */
integration: Integration, 
/**
 * The store name the user gave it.
 */
store_name: string, 
/**
 * Relevant market of credential (a US state), when given.
 */
market: string | null, 
/**
 * The venue name the POS reported for the key.
 */
venue_name: string | null, 
/**
 * The venue's state as the POS reported it.
 */
venue_state: string | null, 
/**
 * The permission pre-flight as of the last verification.
 */
permissions: Array<PermissionCheck>, 
/**
 * When it was added (RFC 3339).
 */
created_at: string, 
/**
 * When the POS last accepted the key (RFC 3339).
 */
verified_at: string | null, 
/**
 * Greenbits: the user name Canopy logged in with.
 */
username: string | null, 
/**
 * Greenbits: the Associated Email.
 */
associated_email: string | null, 
/**
 * Greenbits: the locations the access applies to; each is a mappable key.
 */
locations: Array<LocationChoice>, 
/**
 * Greenbits: whether the locations serve medical patients.
 */
medical_patients: boolean, };

export type NewPosabitCredential = { 
/**
 * Store Name.
 */
store_name: string, 
/**
 * Key: the venue token from POSaBIT.
 */
key: string, 
/**
 * Relevant market of credential (optional US state).
 */
market: string | null, };

export type AddedCredential = { 
/**
 * The stored credential.
 */
credential: Credential, 
/**
 * True when spaces around the key were removed, so the UI can say so.
 */
key_was_trimmed: boolean, };

export type ConnectionCheck = { 
/**
 * The credential as the POS answers for it now.
 */
credential: Credential, 
/**
 * What changed since the last check, a sentence each; empty when nothing did.
 */
changes: Array<string>, };

export type SyncSummary = { 
/**
 * The credential synced.
 */
credential_id: string, 
/**
 * Its store name.
 */
store_name: string, 
/**
 * The mappable key the stream read through.
 */
store_key: string, 
/**
 * The store or location the stream covered.
 */
store_label: string, 
/**
 * The stream; none when the credential failed before any stream ran.
 */
stream: Stream | null, 
/**
 * Pages fetched.
 */
pages: number, 
/**
 * Records received.
 */
seen: number, 
/**
 * Records Canopy had never seen.
 */
new: number, 
/**
 * Records that changed since the last sync.
 */
changed: number, 
/**
 * Records skipped because they could not be read.
 */
rejected: number, 
/**
 * Requests tried again after a transient failure.
 */
retries: number, 
/**
 * Why the run stopped early, when it did.
 */
error?: AppError, 
/**
 * Something that went wrong without failing the run (a refused patient list that is optional).
 */
warning?: string, };

export type SyncProgress = { 
/**
 * The credential.
 */
credential_id: string, 
/**
 * Its store name.
 */
store_name: string, 
/**
 * The store or location the stream covers.
 */
store_label: string, 
/**
 * The stream.
 */
stream: Stream, 
/**
 * Records received so far.
 */
done: number, 
/**
 * Records expected in all, where the POS says.
 */
total: number | null, 
/**
 * Where it stands.
 */
state: SyncState, };

export type ConsoleEvent = { "type": "sync_finished", 
/**
 * The integration.
 */
integration: Integration, 
/**
 * What started it.
 */
trigger: Trigger, 
/**
 * Whether any stream stopped with an error.
 */
failed: boolean, } | { "type": "notification_opened", 
/**
 * What the notification was about.
 */
kind: NotificationKind, } | { "type": "keychain_checked" } | { "type": "shoppers_changed" } | { "type": "presenter_mode_changed", 
/**
 * Whether it is on now.
 */
on: boolean, };

export type SyncRunRow = { 
/**
 * The run's id.
 */
id: number, 
/**
 * The integration.
 */
integration: Integration, 
/**
 * The credential's store name.
 */
store_name: string, 
/**
 * The store or location the run covered.
 */
store_label: string, 
/**
 * The stream.
 */
stream: Stream, 
/**
 * What started it.
 */
trigger: Trigger, 
/**
 * When it started (RFC 3339).
 */
started_at: string, 
/**
 * How long it took, in milliseconds; `null` while it runs (or when the app stopped mid-run).
 */
duration_ms: number | null, 
/**
 * Pages fetched.
 */
pages: number, 
/**
 * Records received.
 */
seen: number, 
/**
 * New records.
 */
new: number, 
/**
 * Changed records.
 */
changed: number, 
/**
 * Unreadable records skipped.
 */
rejected: number, 
/**
 * Requests retried.
 */
retries: number, 
/**
 * The error code, when the run stopped early.
 */
error_code: ErrorCode | null, 
/**
 * What went wrong.
 */
error_message: string | null, 
/**
 * What went wrong without stopping it (e.g. patient lists refused), when anything did.
 */
warning: string | null, };

export type StoreHealth = { 
/**
 * The credential the key belongs to (what "Sync now" of this row syncs).
 */
credential_id: string, 
/**
 * The mappable key.
 */
store_key: string, 
/**
 * The store or location name.
 */
label: string, 
/**
 * The retail store it is mapped to, when it is.
 */
mapped_store: string | null, 
/**
 * When its last run that ended without error finished.
 */
last_success_at: string | null, 
/**
 * When that run started: the data is current as of then.
 */
current_as_of: string | null, 
/**
 * The last run's error, when it failed.
 */
last_error: string | null, 
/**
 * Personas sourced through this key.
 */
personas: number, 
/**
 * Purchases received through this key.
 */
purchases: number, };

export type IntegrationHealth = { 
/**
 * The integration.
 */
integration: Integration, 
/**
 * The FAQ check: personas sourced from it exist and its last sync succeeded.
 */
active: boolean, 
/**
 * Why it is not active, in a sentence.
 */
verdict: string, 
/**
 * Personas sourced from it.
 */
personas: number, 
/**
 * Each store key's health.
 */
stores: Array<StoreHealth>, };

export type PersonaRow = { 
/**
 * Canopy's id.
 */
id: number, 
/**
 * Given name.
 */
first_name: string | null, 
/**
 * Family name.
 */
last_name: string | null, 
/**
 * E.164 phone.
 */
phone: string | null, 
/**
 * Normalised e-mail.
 */
email: string | null, 
/**
 * Member of the loyalty programme.
 */
loyalty_member: boolean, 
/**
 * Points balance (the sum of the ledger).
 */
points: number, 
/**
 * Opted in to e-mail marketing (the POS's marketing opt-in, or consent on the signup form).
 */
email_opt_in: boolean, 
/**
 * SMS consent.
 */
sms_consent: SmsConsent, 
/**
 * The systems this persona was sourced from, e.g. `["posabit", "loyalty"]`.
 */
sourced_from: Array<PersonaSource>, 
/**
 * The name of the persona's favorite retail store, when one is known.
 */
favorite_store: string | null, 
/**
 * When the persona last bought something (RFC 3339).
 */
last_purchase_at: string | null, 
/**
 * When Canopy first saw the shopper (RFC 3339).
 */
created_at: string, };

export type PersonaSort = "name" | "created" | "last_purchase" | "points";

export type PersonaQuery = { 
/**
 * A phone in any format, an e-mail, the start of a name, or a POS id.
 */
search?: string, 
/**
 * Only personas sourced from this system.
 */
source?: PersonaSource, 
/**
 * Only personas whose favorite store is this retail store.
 */
store_id?: number, 
/**
 * Only loyalty members (`true`) or non-members (`false`).
 */
member?: boolean, 
/**
 * Only personas opted in (`true`) or not (`false`) to e-mail marketing.
 */
email_opt_in?: boolean, 
/**
 * Only personas in this SMS consent state.
 */
sms_consent?: SmsConsent, 
/**
 * The sort column (name by default).
 */
sort?: PersonaSort, 
/**
 * Sort descending.
 */
descending?: boolean, 
/**
 * Rows to skip (ignored when `after` is given).
 */
offset: number, 
/**
 * The page after the row this cursor was taken at (a page's `next`): scrolling on through a
 * long list by the sort's index instead of skipping `offset` rows one by one.
 */
after?: string, 
/**
 * Rows to return (at most 500).
 */
limit: number, };

export type PersonaPage = { 
/**
 * Personas matching the query, over all pages (at most [`COUNT_CAP`] for a filtered query).
 */
total: number, 
/**
 * True when more than [`COUNT_CAP`] match a filtered query and `total` stopped counting.
 */
total_capped: boolean, 
/**
 * This page's rows.
 */
rows: Array<PersonaRow>, 
/**
 * The cursor for the page after this one, to pass as `after`; absent on the last page and
 * where the list cannot continue by its index (a descending sort reaching rows without a
 * name or a purchase, or an ascending one still among them), where `offset` serves.
 */
next: string | null, };

export type SourceRecordView = { 
/**
 * The record's id (what a split names).
 */
id: number, 
/**
 * The POS.
 */
integration: Integration, 
/**
 * The credential's store name, or the Greenbits location.
 */
store_label: string, 
/**
 * The POS's id for the shopper.
 */
pos_id: string, 
/**
 * Why it joined this persona: `new`, `phone` or `email`.
 */
match_reason: string, 
/**
 * When Canopy first received it.
 */
first_seen_at: string, 
/**
 * When Canopy last received it.
 */
last_seen_at: string, 
/**
 * The POS's loyalty balance for the shopper, where the POS exposes one.
 */
pos_points: number | null, 
/**
 * The last record received, as JSON.
 */
payload: string, };

export type SignupView = { 
/**
 * When.
 */
created_at: string, 
/**
 * Whether consent (with signature) was given.
 */
consent: boolean, 
/**
 * Why it joined this persona: `new`, `phone` or `email`.
 */
match_reason: string, };

export type ImportedView = { 
/**
 * The file's name.
 */
file_name: string, 
/**
 * The line in the file.
 */
line: number, 
/**
 * `new`, `phone` or `email`.
 */
match_reason: string, 
/**
 * When it was imported.
 */
created_at: string, };

export type PurchaseView = { 
/**
 * The POS.
 */
integration: Integration, 
/**
 * The POS's id for the sale.
 */
pos_id: string, 
/**
 * When.
 */
purchased_at: string, 
/**
 * Paid, in cents.
 */
total_cents: number, 
/**
 * Voided at the POS.
 */
voided: boolean, };

export type LedgerEntryView = { 
/**
 * What moved the points.
 */
kind: LedgerKind, 
/**
 * Points (negative for a deduction).
 */
points: number, 
/**
 * Why.
 */
reason: string, 
/**
 * The transaction it belongs to.
 */
transaction_id: string, 
/**
 * When it was written.
 */
created_at: string, 
/**
 * FIFO expiration: when this entry's points expire.
 */
expires_at: string | null, 
/**
 * The balance after this entry.
 */
balance: number, };

export type PushView = { 
/**
 * The POS.
 */
integration: Integration, 
/**
 * `pending`, `done` or `failed`.
 */
status: string, 
/**
 * `created`, `matched`, or what went wrong.
 */
outcome: string | null, 
/**
 * The POS id it was created as or matched to.
 */
pos_id: string | null, 
/**
 * Attempts made.
 */
attempts: number, 
/**
 * When it was queued.
 */
created_at: string, };

export type Redemption = { 
/**
 * The reward's name.
 */
reward: string, 
/**
 * The retail store, when the sale's key is mapped to one.
 */
store: string | null, 
/**
 * The POS sale.
 */
sale: string, 
/**
 * Points spent.
 */
points: number, 
/**
 * When the sale closed.
 */
redeemed_at: string, 
/**
 * When it was given back (the sale voided).
 */
reversed_at: string | null, };

export type ConsentEvent = { 
/**
 * The channel.
 */
channel: ConsentChannel, 
/**
 * What happened.
 */
event: ConsentEventKind, 
/**
 * Who or what did it.
 */
source: ConsentSource, 
/**
 * Why, in words.
 */
detail: string | null, 
/**
 * The evidence kept with it, as JSON: the form wording's version and the signature, the reply's
 * text, the POS field and credential.
 */
evidence: string | null, 
/**
 * When (RFC 3339).
 */
created_at: string, };

export type PersonaDetail = { 
/**
 * The row the table shows.
 */
persona: PersonaRow, 
/**
 * `YYYY-MM-DD`.
 */
birth_date: string | null, 
/**
 * Every POS record attached, oldest first.
 */
sources: Array<SourceRecordView>, 
/**
 * Signups on Canopy's form.
 */
signups: Array<SignupView>, 
/**
 * Lines of imported files.
 */
imports: Array<ImportedView>, 
/**
 * The latest purchases, newest first (at most [`LIST_LIMIT`]).
 */
purchases: Array<PurchaseView>, 
/**
 * The latest ledger entries, newest first, each with the balance after it.
 */
ledger: Array<LedgerEntryView>, 
/**
 * The consent history, oldest first.
 */
consent: Array<ConsentEvent>, 
/**
 * A reply from the persona's phone may mean stop: no texts go to it until support decides.
 */
held_for_review: boolean, 
/**
 * POS pushes, newest first.
 */
pushes: Array<PushView>, 
/**
 * Rewards redeemed at a POS checkout, newest first, with their store and sale.
 */
redemptions: Array<Redemption>, };

export type ConsentWording = { 
/**
 * Its version, stored beside each signature.
 */
version: string, 
/**
 * The words.
 */
text: string, };

export type SignupInput = { 
/**
 * Given name (required).
 */
first_name: string, 
/**
 * Family name.
 */
last_name: string | null, 
/**
 * A phone in any common US format.
 */
phone: string | null, 
/**
 * E-mail.
 */
email: string | null, 
/**
 * `YYYY-MM-DD`.
 */
birth_date: string | null, 
/**
 * The consent checkbox.
 */
consent: boolean, 
/**
 * The signature given with the consent.
 */
signature: string | null, 
/**
 * The version of the consent wording the form showed ([`CONSENT_WORDING`]).
 */
consent_version?: string, 
/**
 * The retail store the shopper signed up at.
 */
store_id?: number, };

export type ExportProgress = { 
/**
 * Rows written.
 */
done: number, 
/**
 * Rows to write.
 */
total: number, };

export type LineError = { 
/**
 * The line number in the file (the header is line 1).
 */
line: number, 
/**
 * What was wrong.
 */
reason: string, };

export type ImportSummary = { 
/**
 * Lines read (the header not counted).
 */
rows: number, 
/**
 * New personas.
 */
created: number, 
/**
 * Lines merged into an existing persona.
 */
merged: number, 
/**
 * Lines skipped.
 */
rejected: number, 
/**
 * The first skipped lines and why.
 */
errors: Array<LineError>, };

export type ImportProgress = { 
/**
 * Lines read so far.
 */
done: number, };

export type Setting = "sync_personas" | "use_last_backup" | "patient_lists_optional" | "sync_to_relevant_market" | "enroll_after" | "sms_opt_in_after" | "points_imported_on" | "mirror_points";

export type IntegrationSettings = { 
/**
 * Sync Personas is on since (RFC 3339), or off.
 */
sync_personas_since: string | null, 
/**
 * Use last backup is on since (RFC 3339), or off.
 */
frozen_since: string | null, 
/**
 * Pulling patient lists is optional (Greenbits).
 */
patient_lists_optional: boolean, 
/**
 * Sync to relevant market (POSaBIT).
 */
sync_to_relevant_market: boolean, 
/**
 * Enroll Personas in loyalty program who purchased after this date (`YYYY-MM-DD`).
 */
enroll_after: string | null, 
/**
 * Send SMS double opt-ins to Personas who purchased after this date (`YYYY-MM-DD`).
 */
sms_opt_in_after: string | null, 
/**
 * Loyalty points imported on this date (`YYYY-MM-DD`).
 */
points_imported_on: string | null, 
/**
 * When the one-time points import finished (RFC 3339); it never runs again.
 */
points_import_done_at: string | null, 
/**
 * Mirror integration loyalty point values? (Greenbits).
 */
mirror_points: boolean, };

export type SettingChange = { 
/**
 * Which setting.
 */
setting: Setting, 
/**
 * On or off.
 */
on: boolean, 
/**
 * The date (`YYYY-MM-DD`) of a date setting turned on.
 */
date?: string, 
/**
 * The user ticked "I understand" in the warning dialog.
 */
warning_acknowledged: boolean, };

export type AuditEntry = { 
/**
 * Its id.
 */
id: number, 
/**
 * The area.
 */
area: AuditArea, 
/**
 * The integration, where there is one.
 */
integration: Integration | null, 
/**
 * What changed.
 */
subject: string, 
/**
 * Before.
 */
old_value: string, 
/**
 * After.
 */
new_value: string, 
/**
 * When (RFC 3339).
 */
changed_at: string, 
/**
 * The operating-system user who changed it.
 */
os_user: string, 
/**
 * Whether a warning was acknowledged.
 */
warning_acknowledged: boolean, };

export type StoreReach = { 
/**
 * The retail store, or “Not mapped to a store”.
 */
store: string, 
/**
 * Distinct personas who bought there (distinct phones, for SMS requests).
 */
personas: number, };

export type DryRun = { 
/**
 * The setting.
 */
setting: Setting, 
/**
 * The date it was run for.
 */
date: string, 
/**
 * Per store, most personas first.
 */
stores: Array<StoreReach>, 
/**
 * Distinct personas (phones, for SMS requests) in all; one who bought in two stores counts once.
 */
total: number, };

export type Expiration = "never" | "legacy" | "fifo";

export type SmsRun = { 
/**
 * Replies read.
 */
replies: number, 
/**
 * Personas who confirmed (YES).
 */
confirmed: number, 
/**
 * Personas who opted out (a stop).
 */
opted_out: number, 
/**
 * Phones whose reply may mean stop, held for review.
 */
held_for_review: number, 
/**
 * Opt-in requests handed to the gateway.
 */
requested: number, 
/**
 * Answers (confirmations, HELP) handed to the gateway.
 */
answered: number, 
/**
 * Texts waiting for the recipient's hours (8 am – 9 pm, or the state's stricter window).
 */
waiting_for_window: number, 
/**
 * Texts waiting because the recipient's state allows no more today.
 */
waiting_for_cap: number, 
/**
 * Texts waiting because where the recipient is cannot be told (no known area code, address
 * or store: map the store key).
 */
no_place: number, 
/**
 * Opt-out confirmations not sent because their five minutes had passed.
 */
expired: number, 
/**
 * Texts the gateway refused; tried again on the next run, up to three times.
 */
failed: number, 
/**
 * Texts given up after three refusals.
 */
given_up: number, 
/**
 * The gateway's last error, when a text failed.
 */
error?: AppError, };

export type SmsStatus = { 
/**
 * Requests sent.
 */
sent: number, 
/**
 * Of those, personas who have not answered.
 */
awaiting_reply: number, 
/**
 * Of those, personas now opted in.
 */
opted_in: number, 
/**
 * Of those, personas now opted out.
 */
opted_out: number, 
/**
 * Requests the gateway refused (tried again up to three times, then given up).
 */
failed: number, 
/**
 * When the last request went out (RFC 3339).
 */
last_sent_at: string | null, };

export type LoyaltySettings = { 
/**
 * Points a loyalty member earns per dollar spent.
 */
points_per_dollar: number, 
/**
 * Points accrual start date (`YYYY-MM-DD`): sales before it earn no points.
 */
accrual_start: string | null, 
/**
 * How points expire.
 */
expiration: Expiration, 
/**
 * Days for the expiration policy (1–3650).
 */
expiration_days: number, 
/**
 * SMS double opt-in requests a shopper can ever get, over every integration (1–5).
 */
sms_max_requests: number, };

export type SandboxStore = { 
/**
 * The simulated venue's POSaBIT id.
 */
venue_id: number, 
/**
 * The simulated venue's name.
 */
venue_name: string, 
/**
 * Its state.
 */
state: string, 
/**
 * What is special about it, e.g. a missing permission.
 */
note: string, };

export type AppStatus = { 
/**
 * The mode in use, or `null` before the user chose the sandbox or their POS.
 */
mode: ConsoleMode | null, 
/**
 * True when the environment puts Canopy in real mode (the mode cannot be switched in the app).
 */
mode_set_by_environment: boolean, 
/**
 * True while the built-in sandbox stands in for the POS.
 */
sandbox: boolean, 
/**
 * The POSaBIT API base URL in use.
 */
posabit_url: string, 
/**
 * Why the keychain is unusable, or `null` when it works.
 */
keychain_error: AppError | null, 
/**
 * Where the database and logs live.
 */
data_dir: string, 
/**
 * The sandbox's POSaBIT stores (empty when a real POS is used).
 */
sandbox_stores: Array<SandboxStore>, };

export type ConsoleMode = "sandbox" | "real";

export type DesktopPreferences = { 
/**
 * Closing the window keeps Canopy running in the tray, syncing on schedule (on unless
 * turned off: syncs that stop with the window are the surprise).
 */
keep_running_in_tray: boolean, 
/**
 * Canopy starts when the user logs in (off unless turned on).
 */
start_at_login: boolean, };

export type BundleEntry = { 
/**
 * Its name in the zip.
 */
name: string, 
/**
 * What it holds, in a sentence.
 */
what: string, 
/**
 * Its size.
 */
bytes: number, };

export type AuditArea = "card_setting" | "credential" | "connection" | "age_gate" | "retail_store" | "store_mapping" | "loyalty_settings" | "rewards" | "points_adjustment";

export type RejectedRecord = { 
/**
 * The POS's id of the record, when it had one.
 */
pos_id: string | null, 
/**
 * The field that could not be read.
 */
field: string, 
/**
 * Why (it can quote the value: the UI masks it in presenter mode).
 */
reason: string, };

export type RealPosAddresses = { 
/**
 * POSaBIT's API.
 */
posabit_url: string, 
/**
 * Greenbits' API.
 */
greenbits_url: string, 
/**
 * The SMS gateway, when the dispensary has one.
 */
sms_url: string | null, };

export type RealPosSettings = { 
/**
 * The addresses entered.
 */
addresses: RealPosAddresses, 
/**
 * Whether the POSaBIT integrator token is in the keychain.
 */
posabit_token_saved: boolean, 
/**
 * Whether the SMS gateway's token is in the keychain.
 */
sms_token_saved: boolean, 
/**
 * The environment variables overriding an address (an operator's set-up), by name.
 */
environment_overrides: Array<string>, };

export type RealPosInput = { 
/**
 * The addresses.
 */
addresses: RealPosAddresses, 
/**
 * A new POSaBIT integrator token.
 */
posabit_token?: string, 
/**
 * A new SMS gateway token.
 */
sms_token?: string, };

export type ConnectionState = "not_connected" | "connected" | "needs_attention" | "frozen";

export type ChecklistItem = { 
/**
 * What must hold, in the user's words.
 */
label: string, 
/**
 * Whether it holds.
 */
done: boolean, };

export type IntegrationStatus = { 
/**
 * Which integration.
 */
integration: Integration, 
/**
 * Its state.
 */
state: ConnectionState, 
/**
 * Whether the age-gate checkbox is ticked.
 */
age_gate_attested: boolean, 
/**
 * When it was connected (RFC 3339), while connected.
 */
connected_at: string | null, 
/**
 * The minimum settings and whether each holds.
 */
checklist: Array<ChecklistItem>, };

export type RetailStore = { 
/**
 * Canopy's id.
 */
id: number, 
/**
 * Its name.
 */
name: string, 
/**
 * The store ID number the manager types into the POS's integration "Data" field.
 */
store_number: string, 
/**
 * Two-letter US state.
 */
state: string, 
/**
 * IANA time zone, e.g. `America/Los_Angeles`.
 */
timezone: string, 
/**
 * Street address.
 */
address: string | null, 
/**
 * State license number.
 */
license: string | null, };

export type StoreInput = { 
/**
 * Name.
 */
name: string, 
/**
 * Store ID number (digits).
 */
store_number: string, 
/**
 * Two-letter US state.
 */
state: string, 
/**
 * IANA time zone.
 */
timezone: string, 
/**
 * Street address (optional).
 */
address: string | null, 
/**
 * License (optional).
 */
license: string | null, };

export type MappableKey = { 
/**
 * The key's id (a credential id).
 */
key_id: string, 
/**
 * Its integration.
 */
integration: Integration, 
/**
 * What the dropdown shows, e.g. the credential's store name.
 */
label: string, 
/**
 * The store it is mapped to.
 */
store_id: number | null, 
/**
 * The store it likely belongs to (same name, or the only store in its state), when unmapped.
 */
suggested_store_id: number | null, };

export type LocationChoice = { 
/**
 * The Greenbits company id.
 */
id: number, 
/**
 * Its name.
 */
name: string, 
/**
 * Its state, when Greenbits reports one.
 */
state: string | null, };

export type GreenbitsLoginInput = { 
/**
 * Username (or the user's e-mail).
 */
username: string, 
/**
 * Password: sent to Greenbits once, never stored.
 */
password: string, };

export type GreenbitsLogin = { 
/**
 * Refers to the log-in when the credential is saved.
 */
login_id: string, 
/**
 * The user's name in Greenbits.
 */
username: string, 
/**
 * The user's e-mail in Greenbits.
 */
email: string, 
/**
 * View Customer, Update Customer and Enable Backoffice: granted or missing.
 */
permissions: Array<PermissionCheck>, 
/**
 * The locations the user may reach, for the checklist.
 */
locations: Array<LocationChoice>, };

export type NewGreenbitsCredential = { 
/**
 * The log-in this completes.
 */
login_id: string, 
/**
 * Associated Email.
 */
associated_email: string, 
/**
 * The ticked locations.
 */
location_ids: number[], 
/**
 * Whether the locations serve medical patients.
 */
medical_patients: boolean, };

export type GreenbitsCredentialEdit = { 
/**
 * The credential.
 */
credential_id: string, 
/**
 * The locations to sync, from those the stored token reaches.
 */
location_ids: number[], 
/**
 * Whether the locations serve medical patients (their patient lists are synced).
 */
medical_patients: boolean, };

export type StoreNumber = { 
/**
 * The store's name.
 */
name: string, 
/**
 * Its store ID number.
 */
store_number: string, };

export type ApiTracking = { 
/**
 * Canopy's UID.
 */
uid: string, 
/**
 * Each retail store's ID number.
 */
stores: Array<StoreNumber>, };

export type NotificationKind = "unmapped_store" | "sync_failed" | "reward_missing" | "points_overdrawn";

export type Notification = { 
/**
 * Its id.
 */
id: number, 
/**
 * What it is about.
 */
kind: NotificationKind, 
/**
 * The thing it is about (a credential id).
 */
subject: string, 
/**
 * One line.
 */
title: string, 
/**
 * What happened and what to do.
 */
body: string, 
/**
 * When it was raised (RFC 3339).
 */
created_at: string, };

export type RewardKind = "amount_off" | "percent_off" | "free_item";

export type Reward = { 
/**
 * Canopy's id.
 */
id: number, 
/**
 * Its name: the POS's discount must carry exactly this one.
 */
name: string, 
/**
 * Points it costs.
 */
points: number, 
/**
 * What it gives.
 */
kind: RewardKind, 
/**
 * Cents off ($ off) or percent off (% off); none for a free item.
 */
value: number | null, 
/**
 * The free item.
 */
item: string | null, 
/**
 * The retail stores it is offered at; empty: every store.
 */
store_ids: number[], 
/**
 * First day it is offered (`YYYY-MM-DD`).
 */
starts_on: string | null, 
/**
 * Last day it is offered.
 */
ends_on: string | null, 
/**
 * When it was retired; a retired reward is kept with its history.
 */
retired_at: string | null, };

export type RewardInput = { 
/**
 * Name.
 */
name: string, 
/**
 * Points it costs.
 */
points: number, 
/**
 * What it gives.
 */
kind: RewardKind, 
/**
 * Cents off or percent off.
 */
value: number | null, 
/**
 * The free item.
 */
item: string | null, 
/**
 * Stores it is offered at (empty: all).
 */
store_ids: number[], 
/**
 * First day (`YYYY-MM-DD`).
 */
starts_on: string | null, 
/**
 * Last day.
 */
ends_on: string | null, };

export type MirrorState = "mirrored" | "missing" | "name_differs" | "inactive" | "value_differs";

export type RewardMirror = { 
/**
 * The reward.
 */
reward_id: number, 
/**
 * The reward's name.
 */
reward_name: string, 
/**
 * The POS.
 */
integration: Integration, 
/**
 * The store key (a POSaBIT credential, a Greenbits location) the POS list belongs to.
 */
store_key: string, 
/**
 * The store or location, as the integration card names it.
 */
store_label: string, 
/**
 * How the reward stands there.
 */
state: MirrorState, 
/**
 * The POS discount's own name, when one was found.
 */
pos_name: string | null, 
/**
 * What the POS discount gives, where the POS says and it differs.
 */
pos_value: string | null, };

export type MirrorSummary = { 
/**
 * The POS.
 */
integration: Integration, 
/**
 * Live rewards mirrored in every store key of the integration they are offered at.
 */
mirrored: number, 
/**
 * Live rewards checked against the integration.
 */
rewards: number, };

export type MirrorReport = { 
/**
 * Each active reward in each store key of each connected integration it is offered at.
 */
rows: Array<RewardMirror>, 
/**
 * Per integration: how many of those rewards are mirrored everywhere.
 */
summaries: Array<MirrorSummary>, };

export type RedemptionCount = { 
/**
 * The reward.
 */
reward_id: number, 
/**
 * The retail store, when the sale's key is mapped to one.
 */
store_name: string | null, 
/**
 * Redemptions not reversed.
 */
redemptions: number, 
/**
 * Points they spent.
 */
points: number, };

export type OverdrawnPersona = { 
/**
 * The persona.
 */
persona_id: number, 
/**
 * First name.
 */
first_name: string | null, 
/**
 * Last name.
 */
last_name: string | null, 
/**
 * The balance now (below zero).
 */
points_balance: number, };

export type PointsAdjustment = { 
/**
 * The persona.
 */
persona_id: number, 
/**
 * Points to add (negative: to take away).
 */
points: number, 
/**
 * Why: required, kept in the ledger and the audit log.
 */
reason: string, };
