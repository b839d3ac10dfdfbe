"""Home, the first screen: open the exports (or the sample), check how they were read,
choose rules and date."""

import streamlit as st

from analytics import errors
from ui import datasets, escaping, home, loaders, mapping, page, state, views

page.setup("Admissions analytics", page="Home")
st.write(
    "Upload the applicant export and the certification register (Excel or CSV), or open the "
    "bundled sample. The rule set and date chosen here apply on every page."
)

# [2, 1]: at [3, 1] an 800 px window cut the button to "Open the sa…".
upload_col, sample_col = st.columns([2, 1])
upload_col.file_uploader(
    "Exports",
    type=list(loaders.UPLOAD_TYPES),
    accept_multiple_files=True,
    key=home.UPLOAD_KEY,
    on_change=home.open_uploads,
)
sample_col.button("Open the sample", key="home_sample", on_click=page.open_sample)

st.subheader("Rules and date")
home.rules_and_date()

views.render_saved_views()  # saved from any screen's sidebar
dataset = state.dataset()
if dataset is None:
    st.info("No dataset is open yet: upload your exports above or open the sample.")
    st.stop()

st.subheader(f"Dataset: {escaping.markdown(dataset.label)}")
datasets.delete_control()
options = st.container()  # drawn once the sheets are known: from the read when it works
dataset = mapping.use_saved_format(dataset)  # an upload whose headers a saved format has

result, error = None, None
try:
    with st.spinner("Reading the exports…"):
        result = loaders.load(dataset)
except errors.LoadError as err:
    error = err
with options:
    try:
        home.reading_options(dataset, result, error)
    except errors.LoadError as err:  # a workbook whose sheets cannot even be listed
        datasets.show_load_error(err, offer_delete=False)
        st.stop()
if error is not None:
    datasets.show_load_error(error, offer_delete=False)
    if not isinstance(error, errors.NoHeaderError):
        st.stop()

mapping.format_line(dataset)
mapping.screen(dataset, result, error)
mapping.save_offer(dataset)
mapping.formats_list()
if result is None:
    st.stop()

mapping.moved(dataset, result)
home.validation_report(result)
