//! What the user has set, as read models: an integration card's additional settings, the loyalty
//! settings, the console's preferences, the sync schedule's interval and each POS's pace ceiling.

pub mod desktop;
pub mod integration_settings;
pub mod loyalty;
pub mod pace;
pub mod page_context;
pub mod preferences;
pub mod schedule;
