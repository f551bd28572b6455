import { setupEmailRequest } from "../email-request.js";

setupEmailRequest("api/password-resets");
