//! The TypeScript types shared with the UI, generated from the Rust types with ts-rs.
//!
//! `ui/src/bindings.ts` must equal [`typescript`]'s output; a test fails when it is stale, and
//! `cargo run -p canopy-cli -- bindings` rewrites it.

use ts_rs::{Config, TS};

use crate::base::error::{Error, ErrorCode};
use crate::base::pos_kind::Integration;
use crate::config::desktop::DesktopPreferences;
use crate::config::integration_settings::{IntegrationSettings, Setting};
use crate::config::loyalty::{Expiration, LoyaltySettings};
use crate::consent::sms::opt_in::{SmsRun, SmsStatus};
use crate::consent::{ConsentChannel, ConsentEvent, ConsentEventKind, ConsentSource, SmsConsent};
use crate::console::events::ConsoleEvent;
use crate::console::mode::{ConsoleMode, RealPosAddresses};
use crate::console::real_pos::{RealPosInput, RealPosSettings};
use crate::console::{AppStatus, MirrorReport, SandboxStore};
use crate::integrations::connect_state::{ChecklistItem, ConnectionState, IntegrationStatus};
use crate::integrations::connection_check::ConnectionCheck;
use crate::integrations::credentials::{AddedCredential, Credential, PermissionCheck};
use crate::integrations::greenbits_credentials::{
    GreenbitsCredentialEdit, GreenbitsLogin, GreenbitsLoginInput, NewGreenbitsCredential,
};
use crate::integrations::notifications::{Notification, NotificationKind};
use crate::integrations::posabit_credentials::NewPosabitCredential;
use crate::integrations::setting_changes::SettingChange;
use crate::loyalty::adjustments::PointsAdjustment;
use crate::loyalty::date_setting_reach::{DryRun, StoreReach};
use crate::loyalty::ledger::LedgerKind;
use crate::loyalty::mirror_check::{MirrorState, MirrorSummary, RedemptionCount, RewardMirror};
use crate::loyalty::redemptions::{OverdrawnPersona, Redemption};
use crate::loyalty::rewards::{Reward, RewardInput, RewardKind};
use crate::personas::detail::{
    ImportedView, LedgerEntryView, PersonaDetail, PurchaseView, PushView, SignupView,
    SourceRecordView,
};
use crate::personas::export::ExportProgress;
use crate::personas::query::{PersonaPage, PersonaQuery, PersonaRow, PersonaSort, PersonaSource};
use crate::pos::streams::Stream;
use crate::pos::LocationChoice;
use crate::sources::import::{ImportProgress, ImportSummary, LineError};
use crate::sources::signups::{ConsentWording, SignupInput};
use crate::sources::sync::history::{IntegrationHealth, RejectedRecord, StoreHealth, SyncRunRow};
use crate::sources::sync::{SyncProgress, SyncState, SyncSummary, Trigger};
use crate::storage::audit_log::{AuditArea, AuditEntry};
use crate::stores::api_tracking::{ApiTracking, StoreNumber};
use crate::stores::{MappableKey, RetailStore, StoreInput};
use crate::support::bundle::BundleEntry;

/// The whole `ui/src/bindings.ts` file.
pub fn typescript() -> String {
    let cfg = Config::default();
    let declarations = [
        ErrorCode::decl(&cfg),
        Error::decl(&cfg),
        Integration::decl(&cfg),
        Stream::decl(&cfg),
        SyncState::decl(&cfg),
        Trigger::decl(&cfg),
        SmsConsent::decl(&cfg),
        ConsentChannel::decl(&cfg),
        ConsentEventKind::decl(&cfg),
        ConsentSource::decl(&cfg),
        PersonaSource::decl(&cfg),
        LedgerKind::decl(&cfg),
        PermissionCheck::decl(&cfg),
        Credential::decl(&cfg),
        NewPosabitCredential::decl(&cfg),
        AddedCredential::decl(&cfg),
        ConnectionCheck::decl(&cfg),
        SyncSummary::decl(&cfg),
        SyncProgress::decl(&cfg),
        ConsoleEvent::decl(&cfg),
        SyncRunRow::decl(&cfg),
        StoreHealth::decl(&cfg),
        IntegrationHealth::decl(&cfg),
        PersonaRow::decl(&cfg),
        PersonaSort::decl(&cfg),
        PersonaQuery::decl(&cfg),
        PersonaPage::decl(&cfg),
        SourceRecordView::decl(&cfg),
        SignupView::decl(&cfg),
        ImportedView::decl(&cfg),
        PurchaseView::decl(&cfg),
        LedgerEntryView::decl(&cfg),
        PushView::decl(&cfg),
        Redemption::decl(&cfg),
        ConsentEvent::decl(&cfg),
        PersonaDetail::decl(&cfg),
        ConsentWording::decl(&cfg),
        SignupInput::decl(&cfg),
        ExportProgress::decl(&cfg),
        LineError::decl(&cfg),
        ImportSummary::decl(&cfg),
        ImportProgress::decl(&cfg),
        Setting::decl(&cfg),
        IntegrationSettings::decl(&cfg),
        SettingChange::decl(&cfg),
        AuditEntry::decl(&cfg),
        StoreReach::decl(&cfg),
        DryRun::decl(&cfg),
        Expiration::decl(&cfg),
        SmsRun::decl(&cfg),
        SmsStatus::decl(&cfg),
        LoyaltySettings::decl(&cfg),
        SandboxStore::decl(&cfg),
        AppStatus::decl(&cfg),
        ConsoleMode::decl(&cfg),
        DesktopPreferences::decl(&cfg),
        BundleEntry::decl(&cfg),
        AuditArea::decl(&cfg),
        RejectedRecord::decl(&cfg),
        RealPosAddresses::decl(&cfg),
        RealPosSettings::decl(&cfg),
        RealPosInput::decl(&cfg),
        ConnectionState::decl(&cfg),
        ChecklistItem::decl(&cfg),
        IntegrationStatus::decl(&cfg),
        RetailStore::decl(&cfg),
        StoreInput::decl(&cfg),
        MappableKey::decl(&cfg),
        LocationChoice::decl(&cfg),
        GreenbitsLoginInput::decl(&cfg),
        GreenbitsLogin::decl(&cfg),
        NewGreenbitsCredential::decl(&cfg),
        GreenbitsCredentialEdit::decl(&cfg),
        StoreNumber::decl(&cfg),
        ApiTracking::decl(&cfg),
        NotificationKind::decl(&cfg),
        Notification::decl(&cfg),
        RewardKind::decl(&cfg),
        Reward::decl(&cfg),
        RewardInput::decl(&cfg),
        MirrorState::decl(&cfg),
        RewardMirror::decl(&cfg),
        MirrorSummary::decl(&cfg),
        MirrorReport::decl(&cfg),
        RedemptionCount::decl(&cfg),
        OverdrawnPersona::decl(&cfg),
        PointsAdjustment::decl(&cfg),
    ];
    let mut file = String::from(
        "// Generated from the Rust types by `cargo run -p canopy-cli -- bindings`. Do not edit.\n",
    );
    for declaration in declarations {
        file.push_str("\nexport ");
        file.push_str(&declaration);
        file.push('\n');
    }
    file
}

/// Where the generated file lives, relative to this crate.
pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ui/src/bindings.ts");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_bindings_are_up_to_date() {
        let committed = std::fs::read_to_string(BINDINGS_PATH).unwrap_or_default();
        assert!(
            committed == typescript(),
            "ui/src/bindings.ts is stale: run `cargo run -p canopy-cli -- bindings` and commit the result"
        );
    }
}
