import { api } from "../api.js";
import { $, showStep } from "../dom.js";
import { submitForm } from "../forms.js";

submitForm($("#public-claim-form"), (values) => api("POST", "api/public-claims", values), (result) => {
  $("[data-accepted-message]").textContent = result.data.message;
  showStep("sent");
}, { invalid_email: "email", invalid_message: "message" });
