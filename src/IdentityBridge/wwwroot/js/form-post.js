// Submits the authorization response form (response_mode=form_post) as soon as the page has loaded.
document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("form-post");
    if (form) { form.submit(); }
});
