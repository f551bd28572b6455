import { api } from "../api.js";
import { $ } from "../dom.js";
import { setupShowPassword, submitForm } from "../forms.js";

setupShowPassword();
submitForm($("#sign-in-form"), ({ email, password }) => api("POST", "api/sessions", { email, password }),
  () => window.location.assign("espace"));
