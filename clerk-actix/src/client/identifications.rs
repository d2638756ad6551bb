//! `/v1/email_addresses` and `/v1/phone_numbers`.

use actix_web::http::Method;
use serde::Serialize;

use super::{ApiError, ClerkClient};
use crate::models::{DeletedObject, EmailAddress, PhoneNumber};

/// Body of `POST /email_addresses`.
///
/// ```
/// let params = clerk_actix::client::CreateEmailAddressParams {
///     user_id: "user_123".into(),
///     email_address: "second@example.com".into(),
///     verified: Some(true),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateEmailAddressParams {
    /// Owner.
    pub user_id: String,
    /// The address.
    pub email_address: String,
    /// Mark it verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Make it the primary address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Tell the previous primary address about the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
}

/// Body of `PATCH /email_addresses/{id}`.
///
/// ```
/// let params = clerk_actix::client::UpdateEmailAddressParams { primary: Some(true), ..Default::default() };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateEmailAddressParams {
    /// Mark it verified or unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Make it the primary address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Tell the previous primary address about the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
}

/// Body of `POST /phone_numbers`.
///
/// ```
/// let params = clerk_actix::client::CreatePhoneNumberParams {
///     user_id: "user_123".into(),
///     phone_number: "+15550100".into(),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreatePhoneNumberParams {
    /// Owner.
    pub user_id: String,
    /// The number (E.164).
    pub phone_number: String,
    /// Mark it verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Make it the primary number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Reserve it for second-factor use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_for_second_factor: Option<bool>,
}

/// Body of `PATCH /phone_numbers/{id}`.
///
/// ```
/// let params = clerk_actix::client::UpdatePhoneNumberParams { verified: Some(false), ..Default::default() };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdatePhoneNumberParams {
    /// Mark it verified or unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Make it the primary number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Reserve it for second-factor use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_for_second_factor: Option<bool>,
}

/// The email address endpoints; get it from [`ClerkClient::email_addresses`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let email = clerk.email_addresses().get("idn_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EmailAddressesApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> EmailAddressesApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /email_addresses/{email_address_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let email = clerk.email_addresses().get("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, email_address_id: &str) -> Result<EmailAddress, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["email_addresses", email_address_id])?;
        self.client.execute(call).await
    }

    /// `POST /email_addresses`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateEmailAddressParams;
    /// clerk.email_addresses().create(&CreateEmailAddressParams {
    ///     user_id: "user_123".into(), email_address: "b@example.com".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateEmailAddressParams) -> Result<EmailAddress, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["email_addresses"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /email_addresses/{email_address_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UpdateEmailAddressParams;
    /// clerk.email_addresses().update("idn_123", &UpdateEmailAddressParams {
    ///     primary: Some(true), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        self,
        email_address_id: &str,
        params: &UpdateEmailAddressParams,
    ) -> Result<EmailAddress, ApiError> {
        let call = self
            .client
            .call(Method::PATCH, &["email_addresses", email_address_id])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /email_addresses/{email_address_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.email_addresses().delete("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, email_address_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self
            .client
            .call(Method::DELETE, &["email_addresses", email_address_id])?;
        self.client.execute(call).await
    }
}

/// The phone number endpoints; get it from [`ClerkClient::phone_numbers`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let phone = clerk.phone_numbers().get("idn_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PhoneNumbersApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> PhoneNumbersApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /phone_numbers/{phone_number_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let phone = clerk.phone_numbers().get("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, phone_number_id: &str) -> Result<PhoneNumber, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["phone_numbers", phone_number_id])?;
        self.client.execute(call).await
    }

    /// `POST /phone_numbers`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreatePhoneNumberParams;
    /// clerk.phone_numbers().create(&CreatePhoneNumberParams {
    ///     user_id: "user_123".into(), phone_number: "+15550100".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreatePhoneNumberParams) -> Result<PhoneNumber, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["phone_numbers"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /phone_numbers/{phone_number_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UpdatePhoneNumberParams;
    /// clerk.phone_numbers().update("idn_123", &UpdatePhoneNumberParams {
    ///     reserved_for_second_factor: Some(true), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        self,
        phone_number_id: &str,
        params: &UpdatePhoneNumberParams,
    ) -> Result<PhoneNumber, ApiError> {
        let call = self
            .client
            .call(Method::PATCH, &["phone_numbers", phone_number_id])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /phone_numbers/{phone_number_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.phone_numbers().delete("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, phone_number_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self
            .client
            .call(Method::DELETE, &["phone_numbers", phone_number_id])?;
        self.client.execute(call).await
    }
}
